using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox account's hourly utilization for the cost scan, from the same series the monitoring page shows
/// (<see cref="SandboxMetrics.Value"/>): the hour's CPU average, its highest five-minute value, network in and out, and memory
/// for instances tagged as having the CloudWatch agent (app=db), as real fleets publish it for some instances only.
/// </summary>
public sealed class SandboxUtilization(IInventory inventory) : IUtilizationSource
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    public async Task<UtilizationFetch> FetchAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var hours = (int)((to - from) / Hour);
        var fleet = (await Fleet.AllAsync(inventory, cancellationToken)).ToDictionary(i => i.Ref);
        var series = new Dictionary<InstanceRef, InstanceUtilization>();
        foreach (var r in instances)
        {
            if (!fleet.TryGetValue(r, out var instance))
            {
                continue;
            }

            var u = new InstanceUtilization(r, hours);
            if (instance.Tags.GetValueOrDefault("app") == "db")
            {
                u.Memory = new double[hours];
            }

            for (var h = 0; h < hours; h++)
            {
                var at = from + (Hour * h);
                u.CpuAverage[h] = SandboxMetrics.Value(instance, MetricKind.Cpu, at, Hour, false);
                var max = 0.0;
                for (var m = 0; m < 12; m++)
                {
                    max = Math.Max(max, SandboxMetrics.Value(instance, MetricKind.Cpu, at + (FiveMinutes * m), FiveMinutes, false));
                }

                u.CpuMaximum[h] = max;
                u.NetworkIn[h] = SandboxMetrics.Value(instance, MetricKind.NetworkIn, at, Hour, false);
                u.NetworkOut[h] = SandboxMetrics.Value(instance, MetricKind.NetworkOut, at, Hour, false);
                if (u.Memory is not null)
                {
                    u.Memory[h] = 55 + (u.CpuAverage[h] / 4);
                }
            }

            series[r] = u;
        }

        return new UtilizationFetch(series, MetricDataLimits.MinimumCalls(series.Count * 4, hours), []);
    }
}
