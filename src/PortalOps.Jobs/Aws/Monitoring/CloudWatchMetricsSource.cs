using System.Collections.Concurrent;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Aws.Scaling;
using Instance = PortalOps.Domain.Instances.Instance;
using MetricPoint = PortalOps.Domain.Monitoring.MetricPoint;
using Metric = PortalOps.Jobs.Aws.Monitoring.Metric;

namespace PortalOps.Jobs.Aws.Monitoring;

/// <summary>
/// Instance metrics from CloudWatch (AWS/EC2, one GetMetricData call per 500 series and account × region, regions in parallel)
/// and status checks from EC2 DescribeInstanceStatus (1,000 per page).
/// </summary>
public sealed partial class CloudWatchMetricsSource(ICloudWatchApi cloudWatch, AwsClients clients, ILogger<CloudWatchMetricsSource> logger) : IMetricsSource
{
    public const string Namespace = "AWS/EC2";

    public async Task<MetricFetch> FetchAsync(IReadOnlyList<SeriesKey> series, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
    {
        var points = new ConcurrentBag<MetricPoint>();
        var errors = new ConcurrentBag<string>();
        var calls = 0;
        var groups = series.Distinct().GroupBy(s => new CloudScope(s.Instance.AccountId, s.Instance.Region)).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = clients.Options.MaxParallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            var keys = group.ToList();
            var queries = keys.Select((k, n) => Query($"m{n}", k, period)).ToList();
            Interlocked.Add(ref calls, (int)Math.Ceiling(queries.Count / (double)CloudWatchClient.MaxQueriesPerCall));
            try
            {
                var results = await cloudWatch.GetMetricDataAsync(group.Key, queries, from, to, ct).ConfigureAwait(false);
                foreach (var result in results)
                {
                    if (!int.TryParse(result.Id.AsSpan(1), out var n) || n >= keys.Count)
                    {
                        continue;
                    }

                    for (var i = 0; i < result.Timestamps.Count && i < result.Values.Count; i++)
                    {
                        points.Add(new MetricPoint(keys[n].Instance, keys[n].Metric, result.Timestamps[i], result.Values[i]));
                    }
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var failure = AwsFailure.From(e, group.Key.AccountId, group.Key.Region, "GetMetricData");
                LogFailed(logger, failure.ToString());
                errors.Add(failure.ToString());
            }
        }).ConfigureAwait(false);
        return new MetricFetch(points.ToList(), calls, errors.ToList());
    }

    public async Task<IReadOnlyList<InstanceStatusReport>> StatusAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var reports = new ConcurrentBag<InstanceStatusReport>();
        var groups = instances.Distinct().GroupBy(i => new CloudScope(i.AccountId, i.Region)).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = clients.Options.MaxParallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            var wanted = group.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
            try
            {
                var ec2 = clients.Ec2(group.Key.AccountId, group.Key.Region);
                string? token = null;
                do
                {
                    var page = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { IncludeAllInstances = true, MaxResults = 1000, NextToken = token }, ct).ConfigureAwait(false);
                    foreach (var s in page.InstanceStatuses ?? [])
                    {
                        if (wanted.TryGetValue(s.InstanceId, out var instance))
                        {
                            reports.Add(new InstanceStatusReport(instance, Map(s.SystemStatus?.Status?.Value), Map(s.Status?.Status?.Value), DateTimeOffset.UtcNow));
                        }
                    }

                    token = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
                }
                while (token is not null);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogFailed(logger, AwsFailure.From(e, group.Key.AccountId, group.Key.Region, "DescribeInstanceStatus").ToString());
            }
        }).ConfigureAwait(false);
        return reports.ToList();
    }

    public static MetricQuery Query(string id, SeriesKey key, TimeSpan period)
    {
        var info = MetricInfo.Of(key.Metric);
        return new MetricQuery(id, new Metric(Namespace, info.CloudWatchName, [new MetricDimension("InstanceId", key.Instance.InstanceId)]), info.Collected.ToString(), (int)period.TotalSeconds);
    }

    public static CheckStatus Map(string? status) => status switch
    {
        "ok" => CheckStatus.Ok,
        "impaired" => CheckStatus.Impaired,
        "initializing" => CheckStatus.Initializing,
        "not-applicable" => CheckStatus.NotApplicable,
        _ => CheckStatus.InsufficientData,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics collection failed: {Failure}")]
    private static partial void LogFailed(ILogger logger, string failure);
}

/// <summary>Mirrors threshold and status-check rules as CloudWatch alarms, one per instance, named after the rule.</summary>
public sealed class CloudWatchAlarmMirror(ICloudWatchApi cloudWatch) : IAlarmMirror
{
    public async Task<string> SyncAsync(AlertRule rule, IReadOnlyList<MirroredAlarm> alarms, CancellationToken cancellationToken = default)
    {
        var covered = alarms.Select(a => a.Instance).ToList();
        foreach (var (instance, recover) in alarms)
        {
            var key = new SeriesKey(instance.Ref, rule.Metric);
            var query = CloudWatchMetricsSource.Query("m", key, rule.Period);
            await cloudWatch.PutMetricAlarmAsync(new CloudScope(instance.AccountId, instance.Region), new MetricAlarmSpec(
                rule.AlarmName(instance.Ref), query.Metric!, rule.Statistic.ToString(), (int)rule.Period.TotalSeconds, rule.EvaluationPeriods, rule.Threshold,
                rule.Comparison switch
                {
                    Comparison.GreaterThan => "GreaterThanThreshold",
                    Comparison.GreaterThanOrEqual => "GreaterThanOrEqualToThreshold",
                    Comparison.LessThan => "LessThanThreshold",
                    Comparison.LessThanOrEqual => "LessThanOrEqualToThreshold",
                },
                $"PortalOps rule '{rule.Name}' (version {rule.Version})",
                recover ? [$"arn:aws:automate:{instance.Region}:ec2:recover"] : null,
                DatapointsToAlarm: rule.DatapointsToAlarm,
                TreatMissingData: "missing"), cancellationToken).ConfigureAwait(false);
        }

        var keep = covered.Select(i => rule.AlarmName(i.Ref)).ToHashSet(StringComparer.Ordinal);
        var removed = await RemoveAsync(rule, covered.Select(i => new CloudScope(i.AccountId, i.Region)).Distinct().ToList(), keep, cancellationToken).ConfigureAwait(false);
        return $"{covered.Count} CloudWatch alarm(s) written{(removed > 0 ? $", {removed} removed" : string.Empty)}.";
    }

    public Task RemoveAsync(AlertRule rule, IReadOnlyList<CloudScope> scopes, CancellationToken cancellationToken = default) =>
        RemoveAsync(rule, scopes, new HashSet<string>(), cancellationToken);

    private async Task<int> RemoveAsync(AlertRule rule, IReadOnlyList<CloudScope> scopes, IReadOnlySet<string> keep, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var scope in scopes)
        {
            var stale = (await cloudWatch.DescribeAlarmsAsync(scope, namePrefix: $"portalops-{rule.Id:N}-", ct: cancellationToken).ConfigureAwait(false))
                .Select(a => a.AlarmName).Where(n => !keep.Contains(n)).ToList();
            if (stale.Count > 0)
            {
                await cloudWatch.DeleteAlarmsAsync(scope, stale, cancellationToken).ConfigureAwait(false);
                removed += stale.Count;
            }
        }

        return removed;
    }
}
