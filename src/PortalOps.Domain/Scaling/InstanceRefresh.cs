namespace PortalOps.Domain.Scaling;

/// <summary>Where an instance refresh stands, as Auto Scaling reports it (DescribeInstanceRefreshes' <c>Status</c>).</summary>
public enum InstanceRefreshStatus
{
    Pending,
    InProgress,
    Successful,
    Failed,
    Cancelling,
    Cancelled,
    RollbackInProgress,
    RollbackFailed,
    RollbackSuccessful,
    Baking,
}

/// <summary>
/// One instance refresh of a group: a rolling replacement of its instances (a new launch template version or AMI), with how far it
/// has come. <see cref="IsRunning"/> while Auto Scaling would refuse another one (InstanceRefreshInProgress).
/// </summary>
public sealed record InstanceRefresh(string Id, InstanceRefreshStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, int PercentageComplete, int InstancesToUpdate)
{
    public string? StatusReason { get; init; }

    public int? MinHealthyPercentage { get; init; }

    public int? InstanceWarmupSeconds { get; init; }

    public bool SkipMatching { get; init; }

    /// <summary>Where the refresh pauses (percentages of the group replaced); empty: no checkpoints.</summary>
    public IReadOnlyList<int> CheckpointPercentages { get; init; } = [];

    public int? CheckpointDelaySeconds { get; init; }

    public bool AutoRollback { get; init; }

    /// <summary>The launch template version the refresh moves to (its DesiredConfiguration); null when it named none.</summary>
    public string? DesiredLaunchTemplateVersion { get; init; }

    /// <summary>
    /// In progress but waiting at a checkpoint: AWS keeps the status InProgress and says so in the status reason (the only place
    /// DescribeInstanceRefreshes tells it).
    /// </summary>
    public bool AtCheckpoint => Status == InstanceRefreshStatus.InProgress && StatusReason is { } reason && reason.Contains("checkpoint", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether RollbackInstanceRefresh may be asked for: the refresh is still going (pending, in progress, paused at a checkpoint or
    /// baking) and named a desired configuration, without which AWS has nothing to roll back to.
    /// </summary>
    public bool MayRollBack => Status is InstanceRefreshStatus.Pending or InstanceRefreshStatus.InProgress or InstanceRefreshStatus.Baking && DesiredLaunchTemplateVersion is not null;

    public bool IsRunning => Status is InstanceRefreshStatus.Pending or InstanceRefreshStatus.InProgress or InstanceRefreshStatus.Cancelling
        or InstanceRefreshStatus.Baking or InstanceRefreshStatus.RollbackInProgress;

    public static InstanceRefreshStatus ParseStatus(string? status) =>
        Enum.TryParse<InstanceRefreshStatus>(status, ignoreCase: true, out var parsed) ? parsed : InstanceRefreshStatus.Pending;

    public string Describe() => $"instance refresh {Status}{(AtCheckpoint ? " (paused at a checkpoint)" : string.Empty)}, {PercentageComplete}% complete, {InstancesToUpdate} instance(s) to update";
}
