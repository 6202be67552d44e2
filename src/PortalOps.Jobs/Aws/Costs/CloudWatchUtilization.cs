using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Monitoring;

namespace PortalOps.Jobs.Aws.Costs;

/// <summary>
/// Hourly utilization from CloudWatch GetMetricData for the cost scan: per instance CPUUtilization Average and Maximum, NetworkIn
/// and NetworkOut Sum (AWS/EC2), and the CloudWatch agent's mem_used_percent (CWAgent, dimension InstanceId) where it is published.
/// Queries are cut so that each call stays within both of GetMetricData's limits — 500 queries and 100,800 data points — which
/// for 14 days hourly (336 points) is 300 queries a call: the fewest calls for the data. Account × regions run in parallel.
/// </summary>
public sealed partial class CloudWatchUtilization(ICloudWatchApi cloudWatch, AwsClients clients, ILogger<CloudWatchUtilization> logger) : IUtilizationSource
{
    private static readonly (string Namespace, string Name, string Stat)[] Series =
    [
        ("AWS/EC2", "CPUUtilization", "Average"),
        ("AWS/EC2", "CPUUtilization", "Maximum"),
        ("AWS/EC2", "NetworkIn", "Sum"),
        ("AWS/EC2", "NetworkOut", "Sum"),
        ("CWAgent", "mem_used_percent", "Maximum"),
    ];

    /// <summary>The queries for one instance (ids "q{index}x{series}").</summary>
    public static IEnumerable<MetricQuery> Queries(int index, string instanceId) =>
        Series.Select((s, n) => new MetricQuery($"q{index}x{n}", new Metric(s.Namespace, s.Name, [new MetricDimension("InstanceId", instanceId)]), s.Stat, 3600));

    public async Task<UtilizationFetch> FetchAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var hours = (int)((to - from) / TimeSpan.FromHours(1));
        var perCall = MetricDataLimits.QueriesPerCall(hours);
        var result = new ConcurrentDictionary<InstanceRef, InstanceUtilization>();
        var errors = new ConcurrentBag<string>();
        var calls = 0;
        var groups = instances.Distinct().GroupBy(i => new CloudScope(i.AccountId, i.Region)).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = clients.Options.MaxParallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            var refs = group.ToList();
            var series = refs.Select(r => new InstanceUtilization(r, hours)).ToArray();
            var queries = refs.SelectMany((r, i) => Queries(i, r.InstanceId)).ToList();
            foreach (var batch in queries.Chunk(perCall))
            {
                try
                {
                    Interlocked.Increment(ref calls);
                    foreach (var s in await cloudWatch.GetMetricDataAsync(group.Key, batch, from, to, ct).ConfigureAwait(false))
                    {
                        Fill(series, s, from, hours);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    var failure = AwsFailure.From(e, group.Key.AccountId, group.Key.Region, "GetMetricData");
                    LogFailed(logger, failure.ToString());
                    errors.Add(failure.ToString());
                    break;
                }
            }

            foreach (var u in series)
            {
                result[u.Instance] = u;
            }
        }).ConfigureAwait(false);
        return new UtilizationFetch(result, calls, errors.ToList());
    }

    private static void Fill(InstanceUtilization[] series, MetricSeries s, DateTimeOffset from, int hours)
    {
        var x = s.Id.IndexOf('x', StringComparison.Ordinal);
        if (x < 2 || !int.TryParse(s.Id.AsSpan(1, x - 1), out var index) || !int.TryParse(s.Id.AsSpan(x + 1), out var kind) || index >= series.Length)
        {
            return;
        }

        var u = series[index];
        if (kind == 4 && s.Values.Count > 0)
        {
            u.Memory ??= Enumerable.Repeat(double.NaN, hours).ToArray();
        }

        var target = kind switch
        {
            0 => u.CpuAverage,
            1 => u.CpuMaximum,
            2 => u.NetworkIn,
            3 => u.NetworkOut,
            _ => u.Memory,
        };
        if (target is null)
        {
            return;
        }

        for (var i = 0; i < s.Timestamps.Count && i < s.Values.Count; i++)
        {
            var hour = (int)((s.Timestamps[i] - from) / TimeSpan.FromHours(1));
            if (hour >= 0 && hour < hours)
            {
                target[hour] = s.Values[i];
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Utilization read failed: {Failure}")]
    private static partial void LogFailed(ILogger logger, string failure);
}
