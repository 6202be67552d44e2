using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox's answer to DescribeInstanceStatus for the patch health gate: the simulated instance's state as it is now (so an
/// instance stopped during a run fails its wave), and the Sandbox metrics' status checks (one instance is impaired half an hour in
/// every four). Instances no longer in the Sandbox are left out.
/// </summary>
public sealed class SandboxInstanceStatus(IInventory inventory, IMetricsSource metrics) : IInstanceStatusReader
{
    public async Task<IReadOnlyList<LiveInstanceStatus>> ReadAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var checks = (await metrics.StatusAsync(instances, cancellationToken)).GroupBy(c => c.Instance).ToDictionary(g => g.Key, g => g.First());
        var statuses = new List<LiveInstanceStatus>();
        foreach (var instance in instances.Distinct())
        {
            if (await inventory.FindAsync(instance, cancellationToken) is not { } found)
            {
                continue;
            }

            statuses.Add(found.State != InstanceState.Running
                ? new LiveInstanceStatus(instance, found.State, CheckStatus.NotApplicable, CheckStatus.NotApplicable)
                : checks.TryGetValue(instance, out var c)
                    ? new LiveInstanceStatus(instance, found.State, c.System, c.InstanceCheck)
                    : new LiveInstanceStatus(instance, found.State, CheckStatus.Ok, CheckStatus.Ok));
        }

        return statuses;
    }
}
