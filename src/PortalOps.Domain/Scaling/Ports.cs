namespace PortalOps.Domain.Scaling;

/// <summary>Groups across every account and region, with the regions that could not be read.</summary>
public sealed record GroupListing(IReadOnlyList<ScalingGroup> Groups, IReadOnlyList<string> Problems);

/// <summary>
/// EC2 Auto Scaling, behind one port: reads (groups, activities, policies, scheduled actions) and the changes the action
/// pipeline makes. Every change returns AWS's request id for the audit. Implemented over AWS and by the Sandbox.
/// </summary>
public interface IScaling
{
    /// <summary>Every group in every account and region (paged at the service's maximum, regions fanned out with a bound).</summary>
    Task<GroupListing> ListGroupsAsync(CancellationToken cancellationToken = default);

    Task<ScalingGroup?> FindGroupAsync(GroupRef group, CancellationToken cancellationToken = default);

    /// <summary>The most recent activities, newest first.</summary>
    Task<IReadOnlyList<ScalingActivity>> ActivitiesAsync(GroupRef group, int max, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ScalingPolicy>> PoliciesAsync(GroupRef group, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ScheduledAction>> ScheduledActionsAsync(GroupRef group, CancellationToken cancellationToken = default);

    Task<string?> SetCapacityAsync(GroupRef group, CapacityChange change, CancellationToken cancellationToken = default);

    Task<string?> PutPolicyAsync(GroupRef group, ScalingPolicy policy, CancellationToken cancellationToken = default);

    Task<string?> DeletePolicyAsync(GroupRef group, string policyName, CancellationToken cancellationToken = default);

    Task<string?> PutScheduledActionAsync(GroupRef group, ScheduledAction action, CancellationToken cancellationToken = default);

    Task<string?> DeleteScheduledActionAsync(GroupRef group, string actionName, CancellationToken cancellationToken = default);

    Task<string?> SuspendProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default);

    Task<string?> ResumeProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default);

    /// <summary>The group's instance refreshes, newest first (the running one, if any, among them).</summary>
    Task<IReadOnlyList<InstanceRefresh>> InstanceRefreshesAsync(GroupRef group, int max, CancellationToken cancellationToken = default);

    /// <summary>Starts a rolling replacement of the group's instances.</summary>
    Task<string?> StartInstanceRefreshAsync(GroupRef group, InstanceRefreshRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels the group's running instance refresh (instances already replaced stay replaced).</summary>
    Task<string?> CancelInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default);

    /// <summary>Rolls the group's running instance refresh back to the configuration it had before (RollbackInstanceRefresh).</summary>
    Task<string?> RollbackInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default);

    /// <summary>Enables CloudWatch group metrics collection for <paramref name="metrics"/> at <see cref="GroupMetrics.Granularity"/>.</summary>
    Task<string?> EnableMetricsCollectionAsync(GroupRef group, IReadOnlyList<string> metrics, CancellationToken cancellationToken = default);
}

/// <summary>A group's capacity at one moment, as the history job records it.</summary>
public sealed record CapacitySample(GroupRef Group, DateTimeOffset At, int MinSize, int DesiredCapacity, int MaxSize, int InService, int Pending, int Unhealthy)
{
    public static CapacitySample Of(ScalingGroup g, DateTimeOffset at) => new(g.Ref, at, g.MinSize, g.DesiredCapacity, g.MaxSize, g.InService, g.Pending, g.Unhealthy);
}

/// <summary>Stored capacity history. One sample per group and moment: recording the same moment twice keeps one.</summary>
public interface ICapacityHistory
{
    /// <summary>Adds the samples that are not there yet; returns how many were new.</summary>
    Task<int> RecordAsync(IReadOnlyList<CapacitySample> samples, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CapacitySample>> ReadAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Removes samples older than <paramref name="before"/>.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
