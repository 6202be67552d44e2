using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Patching;

/// <summary>
/// The health gate between waves. It fails the wave when one of its instances is down (stopping, stopped, shutting down, terminated,
/// or no longer reported by EC2) or fails an EC2 status check; it holds the wave while an alert rule that started firing for one of
/// them after the install is still open, or while a check has not settled. Holding is not failing: the run restarts the quiet time and
/// fails only if the hold lasts to twice the quiet time after the install (<see cref="PatchRun.Gate"/>).
/// </summary>
/// <remarks>
/// State and checks come from <paramref name="live"/> (EC2 read at the moment of the check) when one is registered; without it, from
/// the monitoring module's last collected status checks, which may be minutes old and cannot tell a stopped instance.
/// </remarks>
public sealed class MonitoringHealthGate(IMetricStore metrics, IAlertStore alerts, IInstanceStatusReader? live = null) : IPatchHealthGate
{
    public async Task<HealthGateResult> CheckAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var set = instances.ToHashSet();
        string? settling = null;
        if (live is not null)
        {
            IReadOnlyList<LiveInstanceStatus> statuses;
            try
            {
                statuses = await live.ReadAsync(instances, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthGateResult.Hold($"the instances' EC2 status could not be read ({e.Message}).");
            }

            var byInstance = statuses.GroupBy(s => s.Instance).ToDictionary(g => g.Key, g => g.First());
            foreach (var instance in instances)
            {
                if (!byInstance.TryGetValue(instance, out var status))
                {
                    return HealthGateResult.Fail($"{instance.InstanceId} is no longer reported by EC2 (terminated and gone).");
                }

                if (status.Down)
                {
                    return HealthGateResult.Fail($"{instance.InstanceId} is {Describe(status.State)}.");
                }

                if (status.Impaired)
                {
                    return HealthGateResult.Fail($"{instance.InstanceId} fails its EC2 status checks (system {Describe(status.System)}, instance {Describe(status.InstanceCheck)}).");
                }

                settling ??= status.Settling
                    ? $"{instance.InstanceId} is {Describe(status.State)} with status checks not settled yet (system {Describe(status.System)}, instance {Describe(status.InstanceCheck)})."
                    : null;
            }
        }
        else
        {
            var health = await metrics.HealthOfAsync(set, cancellationToken);
            if (health.Values.FirstOrDefault(h => h.StatusCheckFailed) is { } failing)
            {
                return HealthGateResult.Fail($"{failing.Instance.InstanceId} fails its EC2 status checks (system {failing.System}, instance {failing.InstanceCheck}).");
            }
        }

        foreach (var alert in await alerts.ListOpenAsync(cancellationToken))
        {
            if (alert.Members.FirstOrDefault(m => set.Contains(m.Instance) && m.Since >= since) is { } member)
            {
                return HealthGateResult.Hold($"{member.Instance.InstanceId}: alert '{alert.RuleName}' open since {member.Since.UtcDateTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC ({member.Detail}).");
            }
        }

        return settling is null ? HealthGateResult.Pass : HealthGateResult.Hold(settling);
    }

    private static string Describe(InstanceState state) => state switch
    {
        InstanceState.ShuttingDown => "shutting down",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string Describe(CheckStatus status) => status switch
    {
        CheckStatus.InsufficientData => "insufficient-data",
        CheckStatus.NotApplicable => "not-applicable",
        _ => status.ToString().ToLowerInvariant(),
    };
}
