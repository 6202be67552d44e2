using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Patching;

/// <summary>
/// The health gate from the monitoring module: a wave is unhealthy when one of its instances fails an EC2 status check, or when an
/// alert rule started firing for one of them after its install finished. The run asks again until the quiet time is over.
/// </summary>
public sealed class MonitoringHealthGate(IMetricStore metrics, IAlertStore alerts) : IPatchHealthGate
{
    public async Task<HealthGateResult> CheckAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var set = instances.ToHashSet();
        var health = await metrics.HealthOfAsync(set, cancellationToken);
        if (health.Values.FirstOrDefault(h => h.StatusCheckFailed) is { } failing)
        {
            return HealthGateResult.Fail($"{failing.Instance.InstanceId} fails its EC2 status checks (system {failing.System}, instance {failing.InstanceCheck}).");
        }

        foreach (var alert in await alerts.ListOpenAsync(cancellationToken))
        {
            if (alert.Members.FirstOrDefault(m => set.Contains(m.Instance) && m.Since >= since) is { } member)
            {
                return HealthGateResult.Fail($"{member.Instance.InstanceId}: alert '{alert.RuleName}' fired after patching ({member.Detail}).");
            }
        }

        return HealthGateResult.Pass;
    }
}
