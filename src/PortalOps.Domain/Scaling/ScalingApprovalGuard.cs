namespace PortalOps.Domain.Scaling;

/// <summary>
/// The scaling changes that wait for approval whatever the approval rules say, because their harm depends on the values chosen
/// rather than on the action: emptying a group (desired or max 0), raising max above a configured ceiling, and suspending
/// Launch, Terminate or health checks; and starting an instance refresh (it replaces every instance) unless switched off.
/// </summary>
public sealed record ScalingApprovalGuard(int ApproveMaxAbove = 20, bool ApproveEmptying = true, bool ApproveInstanceRefresh = true)
{
    /// <summary>The rule starting an instance refresh falls under, or null when it may run at once.</summary>
    public string? RuleForRefresh() => ApproveInstanceRefresh ? "An instance refresh replaces the group's instances and needs approval" : null;

    /// <summary>The rule a capacity change falls under, or null when it may run at once.</summary>
    public string? RuleFor(ScalingGroup current, CapacityChange change)
    {
        if (ApproveEmptying && change.DesiredCapacity == 0 && current.DesiredCapacity > 0)
        {
            return "Emptying an Auto Scaling group needs approval";
        }

        if (change.MaxSize > ApproveMaxAbove && change.MaxSize > current.MaxSize)
        {
            return $"Raising max above {ApproveMaxAbove} needs approval";
        }

        return null;
    }

    public string? RuleFor(ScheduledAction action) =>
        ApproveEmptying && action.DesiredCapacity == 0 ? "A schedule that empties a group needs approval"
        : action.MaxSize > ApproveMaxAbove ? $"A schedule raising max above {ApproveMaxAbove} needs approval"
        : null;

    public static string? RuleForSuspend(IReadOnlyList<string> processes) =>
        processes.Any(p => p is "Launch" or "Terminate" or "HealthCheck" or "ReplaceUnhealthy")
            ? "Suspending launches, terminations or health checks needs approval"
            : null;
}
