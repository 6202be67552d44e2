using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Asks for approval when an action would take the last healthy targets out of a target group: stopping, rebooting, hibernating
/// or terminating every healthy instance behind it, or deregistering them. Without approval nothing is done.
/// </summary>
public sealed class LastHealthyTargetCondition(ILoadBalancing loadBalancing, LoadBalancingSettings settings) : IApprovalCondition
{
    public const string RuleName = "Leaving a target group without healthy targets needs approval";

    private static readonly HashSet<string> InstanceKinds =
    [
        ActionKind.StopInstances.Name, ActionKind.RebootInstances.Name, ActionKind.TerminateInstances.Name,
        ActionKind.HibernateInstances.Name, ActionKind.SnapshotAndTerminateInstances.Name, ActionKind.RecoverInstances.Name,
    ];

    public async Task<ApprovalRule?> RuleForAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        if (!settings.ApproveLastHealthyTarget)
        {
            return null;
        }

        if (kind == ActionKind.DeregisterTargets)
        {
            var (leaving, _) = TargetRef.ParseList(parameters.GetValueOrDefault(TargetRegistrationExecutor.TargetsParameter));
            var ids = leaving.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var target in targets)
            {
                var health = await loadBalancing.HealthAsync(new CloudScope(target.Ref.AccountId, target.Ref.Region), target.Ref.InstanceId, null, cancellationToken);
                if (LeavesNoHealthy(health, ids))
                {
                    return new ApprovalRule(RuleName, [kind.Name]);
                }
            }

            return null;
        }

        if (!InstanceKinds.Contains(kind.Name))
        {
            return null;
        }

        foreach (var scope in targets.GroupBy(t => new CloudScope(t.Ref.AccountId, t.Ref.Region)))
        {
            var ids = scope.Select(t => t.Ref.InstanceId).ToHashSet(StringComparer.Ordinal);
            foreach (var group in await loadBalancing.TargetGroupsAsync(scope.Key, cancellationToken))
            {
                if (LeavesNoHealthy(group.Targets, ids))
                {
                    return new ApprovalRule(RuleName, [kind.Name]);
                }
            }
        }

        return null;
    }

    /// <summary>Some of <paramref name="leaving"/> are healthy in the group, and no healthy target would be left.</summary>
    public static bool LeavesNoHealthy(IReadOnlyList<TargetHealthEntry> targets, IReadOnlySet<string> leaving)
    {
        var healthy = targets.Where(t => t.State == TargetHealthState.Healthy).ToList();
        return healthy.Count > 0 && healthy.Any(t => leaving.Contains(t.TargetId)) && healthy.All(t => leaving.Contains(t.TargetId));
    }
}
