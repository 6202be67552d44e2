using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Aws.Monitoring;

namespace PortalOps.Jobs.Aws.Scaling;

/// <summary>
/// A group's capacity from CloudWatch: GroupDesiredCapacity and GroupInServiceInstances (namespace AWS/AutoScaling, dimension
/// AutoScalingGroupName), Average over the period, as two queries of one GetMetricData call. The two series are joined by
/// timestamp. Nothing comes back while metrics collection is not enabled on the group; a failed call is returned as an error.
/// A successful read is kept for <see cref="Lifetime"/> (the metrics are published once a minute), so a group page that polls
/// while a refresh runs, or several people on one group, cost one call a minute.
/// </summary>
public sealed partial class CloudWatchGroupMetrics(ICloudWatchApi cloudWatch, TimeProvider clock, ILogger<CloudWatchGroupMetrics> logger) : IGroupCapacityMetrics
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    public const string Namespace = "AWS/AutoScaling";
    public const string DesiredMetric = "GroupDesiredCapacity";
    public const string InServiceMetric = "GroupInServiceInstances";
    public const string Dimension = "AutoScalingGroupName";

    private readonly ConcurrentDictionary<(GroupRef Group, DateTimeOffset From, TimeSpan Period), (GroupMetricsFetch Fetch, DateTimeOffset At)> _recent = new();

    /// <summary>The two queries for a group (ids <c>desired</c> and <c>inservice</c>).</summary>
    public static IReadOnlyList<MetricQuery> Queries(string groupName, TimeSpan period)
    {
        var seconds = (int)period.TotalSeconds;
        if (seconds < 60 || seconds % 60 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Group metrics are published every minute: the period must be a whole number of minutes.");
        }

        List<MetricDimension> dimensions = [new(Dimension, groupName)];
        return
        [
            new MetricQuery("desired", new Metric(Namespace, DesiredMetric, dimensions), "Average", seconds),
            new MetricQuery("inservice", new Metric(Namespace, InServiceMetric, dimensions), "Average", seconds),
        ];
    }

    public async Task<GroupMetricsFetch> CapacityAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
    {
        if (to <= from)
        {
            throw new ArgumentException($"The end ({to:O}) must be after the start ({from:O}).", nameof(to));
        }

        var queries = Queries(group.Name, period);
        var now = clock.GetUtcNow();
        var key = (group, from, period);
        if (_recent.TryGetValue(key, out var recent) && now - recent.At < Lifetime)
        {
            return recent.Fetch with { Calls = 0 };
        }

        try
        {
            var series = await cloudWatch.GetMetricDataAsync(group.Scope, queries, from, to, cancellationToken).ConfigureAwait(false);
            var desired = Values(series, "desired");
            var inService = Values(series, "inservice");
            var points = desired.Keys.Union(inService.Keys)
                .Order()
                .Select(at => new CapacityPoint(at, desired.TryGetValue(at, out var d) ? d : null, inService.TryGetValue(at, out var i) ? i : null, CapacitySource.CloudWatch))
                .ToList();
            var fetch = new GroupMetricsFetch(points, period, 1);
            foreach (var stale in _recent.Where(kv => now - kv.Value.At >= Lifetime).Select(kv => kv.Key).ToList())
            {
                _recent.TryRemove(stale, out _);
            }

            _recent[key] = (fetch, now);
            return fetch;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = AwsFailure.From(e, group.AccountId, group.Region, "GetMetricData");
            LogFailed(logger, group.Name, failure.ToString());
            return GroupMetricsFetch.Failed(period, 1, failure.ToString());
        }
    }

    private static Dictionary<DateTimeOffset, double> Values(IReadOnlyList<MetricSeries> series, string id)
    {
        var values = new Dictionary<DateTimeOffset, double>();
        foreach (var s in series.Where(s => s.Id == id))
        {
            for (var n = 0; n < s.Timestamps.Count && n < s.Values.Count; n++)
            {
                values[s.Timestamps[n]] = s.Values[n];
            }
        }

        return values;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group metrics of {Group} could not be read: {Failure}")]
    private static partial void LogFailed(ILogger logger, string group, string failure);
}
