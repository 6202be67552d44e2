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

    public bool IsRunning => Status is InstanceRefreshStatus.Pending or InstanceRefreshStatus.InProgress or InstanceRefreshStatus.Cancelling
        or InstanceRefreshStatus.Baking or InstanceRefreshStatus.RollbackInProgress;

    public static InstanceRefreshStatus ParseStatus(string? status) =>
        Enum.TryParse<InstanceRefreshStatus>(status, ignoreCase: true, out var parsed) ? parsed : InstanceRefreshStatus.Pending;

    public string Describe() => $"instance refresh {Status}, {PercentageComplete}% complete, {InstancesToUpdate} instance(s) to update";
}
