using System.Globalization;
using System.Xml.Linq;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws.Monitoring;

public sealed record MetricDimension(string Name, string Value);

public sealed record Metric(string Namespace, string MetricName, IReadOnlyList<MetricDimension> Dimensions);

/// <summary>One series to fetch: a metric with a statistic and period, or a metric-math expression.</summary>
public sealed record MetricQuery(string Id, Metric? Metric = null, string Stat = "Average", int Period = 300, string? Expression = null, string? Label = null, bool ReturnData = true);

public sealed record MetricSeries(string Id, string? Label, string StatusCode, IReadOnlyList<DateTimeOffset> Timestamps, IReadOnlyList<double> Values);

public sealed record MetricAlarmSpec(
    string AlarmName,
    Metric Metric,
    string Statistic,
    int Period,
    int EvaluationPeriods,
    double Threshold,
    string ComparisonOperator,
    string? Description = null,
    IReadOnlyList<string>? AlarmActions = null,
    IReadOnlyList<string>? OkActions = null,
    int? DatapointsToAlarm = null,
    string? TreatMissingData = null);

public sealed record MetricAlarm(string AlarmName, string? AlarmArn, string StateValue, string? StateReason, string? MetricName, string? Namespace, string? Statistic, IReadOnlyList<MetricDimension> Dimensions, int? Period, int? EvaluationPeriods, double? Threshold, string? ComparisonOperator, IReadOnlyList<string> AlarmActions, DateTimeOffset? StateUpdated);

/// <summary>CloudWatch metrics and alarms over the Query API.</summary>
public interface ICloudWatchApi
{
    /// <summary>Fetches any number of series, at most <see cref="CloudWatchClient.MaxQueriesPerCall"/> per call, following NextToken.</summary>
    Task<IReadOnlyList<MetricSeries>> GetMetricDataAsync(CloudScope scope, IReadOnlyList<MetricQuery> queries, DateTimeOffset start, DateTimeOffset end, CancellationToken ct = default);

    Task<IReadOnlyList<Metric>> ListMetricsAsync(CloudScope scope, string? ns = null, string? metricName = null, IReadOnlyList<MetricDimension>? dimensions = null, CancellationToken ct = default);

    Task<string?> PutMetricAlarmAsync(CloudScope scope, MetricAlarmSpec spec, CancellationToken ct = default);

    Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(CloudScope scope, IReadOnlyList<string>? names = null, string? namePrefix = null, string? stateValue = null, CancellationToken ct = default);

    Task<string?> DeleteAlarmsAsync(CloudScope scope, IReadOnlyList<string> names, CancellationToken ct = default);
}

public sealed class CloudWatchClient(AwsProtocolClient core, AwsClients clients) : ICloudWatchApi
{
    public const int MaxQueriesPerCall = 500;

    private Task<AwsResponse<XElement>> Call(CloudScope scope, string action, QueryParameters p, CancellationToken ct) =>
        core.QueryAsync(clients.Endpoint(scope.AccountId, scope.Region, AwsServiceDescriptor.CloudWatch), action, p, ct);

    public async Task<IReadOnlyList<MetricSeries>> GetMetricDataAsync(CloudScope scope, IReadOnlyList<MetricQuery> queries, DateTimeOffset start, DateTimeOffset end, CancellationToken ct = default)
    {
        var results = new List<MetricSeries>(queries.Count);
        foreach (var batch in queries.Chunk(MaxQueriesPerCall))
        {
            var byId = new Dictionary<string, (string? Label, string Status, List<DateTimeOffset> T, List<double> V)>(StringComparer.Ordinal);
            await AwsProtocolClient.PaginateAsync<int>(async token =>
            {
                var p = new QueryParameters()
                    .List("MetricDataQueries", batch, WriteQuery)
                    .Add("StartTime", start)
                    .Add("EndTime", end)
                    .Add("ScanBy", "TimestampAscending")
                    .Add("NextToken", token);
                var r = await Call(scope, "GetMetricData", p, ct).ConfigureAwait(false);
                foreach (var m in r.Body.Members("MetricDataResults"))
                {
                    var id = m.Str("Id") ?? "";
                    if (!byId.TryGetValue(id, out var acc))
                    {
                        acc = (m.Str("Label"), m.Str("StatusCode") ?? "Complete", [], []);
                        byId[id] = acc;
                    }

                    acc.T.AddRange(m.Members("Timestamps").Select(t => Xml.ParseDate(t.Value) ?? DateTimeOffset.MinValue));
                    acc.V.AddRange(m.Members("Values").Select(v => double.Parse(v.Value, CultureInfo.InvariantCulture)));
                    byId[id] = acc with { Status = m.Str("StatusCode") ?? acc.Status };
                }

                return ([], r.Body.Str("NextToken"));
            }).ConfigureAwait(false);
            results.AddRange(byId.Select(kv => new MetricSeries(kv.Key, kv.Value.Label, kv.Value.Status, kv.Value.T, kv.Value.V)));
        }

        return results;
    }

    /// <summary>Distinct metrics (namespace, name, dimensions), following NextToken.</summary>
    public async Task<IReadOnlyList<Metric>> ListMetricsAsync(CloudScope scope, string? ns = null, string? metricName = null, IReadOnlyList<MetricDimension>? dimensions = null, CancellationToken ct = default) =>
        (await AwsProtocolClient.PaginateAsync<Metric>(async token =>
        {
            var r = await Call(scope, "ListMetrics", new QueryParameters()
                .Add("Namespace", ns)
                .Add("MetricName", metricName)
                .List("Dimensions", dimensions, (d, x) => d.Add("Name", x.Name).Add("Value", x.Value))
                .Add("NextToken", token), ct).ConfigureAwait(false);
            return (r.Body.Members("Metrics").Select(m => new Metric(m.Str("Namespace") ?? "", m.Str("MetricName") ?? "", Dimensions(m))), r.Body.Str("NextToken"));
        }).ConfigureAwait(false))
        .DistinctBy(m => (m.Namespace, m.MetricName, string.Join('\u001f', m.Dimensions.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => d.Name + "=" + d.Value))))
        .ToList();

    public async Task<string?> PutMetricAlarmAsync(CloudScope scope, MetricAlarmSpec spec, CancellationToken ct = default) =>
        (await Call(scope, "PutMetricAlarm", new QueryParameters()
            .Add("AlarmName", spec.AlarmName)
            .Add("AlarmDescription", spec.Description)
            .Add("Namespace", spec.Metric.Namespace)
            .Add("MetricName", spec.Metric.MetricName)
            .List("Dimensions", spec.Metric.Dimensions, (d, x) => d.Add("Name", x.Name).Add("Value", x.Value))
            .Add("Statistic", spec.Statistic)
            .Add("Period", spec.Period)
            .Add("EvaluationPeriods", spec.EvaluationPeriods)
            .Add("DatapointsToAlarm", spec.DatapointsToAlarm)
            .Add("Threshold", spec.Threshold)
            .Add("ComparisonOperator", spec.ComparisonOperator)
            .Add("TreatMissingData", spec.TreatMissingData)
            .Add("ActionsEnabled", spec.AlarmActions is { Count: > 0 } || spec.OkActions is { Count: > 0 } ? true : null)
            .List("AlarmActions", spec.AlarmActions)
            .List("OKActions", spec.OkActions), ct).ConfigureAwait(false)).RequestId;

    public async Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(CloudScope scope, IReadOnlyList<string>? names = null, string? namePrefix = null, string? stateValue = null, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<MetricAlarm>(async token =>
        {
            var r = await Call(scope, "DescribeAlarms", new QueryParameters()
                .List("AlarmNames", names)
                .Add("AlarmNamePrefix", namePrefix)
                .Add("StateValue", stateValue)
                .Add("MaxRecords", 100)
                .Add("NextToken", token), ct).ConfigureAwait(false);
            return (r.Body.Members("MetricAlarms").Select(a => new MetricAlarm(
                a.Str("AlarmName") ?? "", a.Str("AlarmArn"), a.Str("StateValue") ?? "INSUFFICIENT_DATA", a.Str("StateReason"),
                a.Str("MetricName"), a.Str("Namespace"), a.Str("Statistic"), Dimensions(a), a.Int("Period"), a.Int("EvaluationPeriods"),
                a.Dbl("Threshold"), a.Str("ComparisonOperator"), a.Strings("AlarmActions"), a.Date("StateUpdatedTimestamp"))), r.Body.Str("NextToken"));
        }).ConfigureAwait(false);

    public async Task<string?> DeleteAlarmsAsync(CloudScope scope, IReadOnlyList<string> names, CancellationToken ct = default)
    {
        string? requestId = null;
        foreach (var batch in names.Chunk(100))
        {
            requestId = (await Call(scope, "DeleteAlarms", new QueryParameters().List("AlarmNames", batch), ct).ConfigureAwait(false)).RequestId;
        }

        return requestId;
    }

    private static void WriteQuery(QueryParameters q, MetricQuery m)
    {
        q.Add("Id", m.Id).Add("Label", m.Label).Add("ReturnData", m.ReturnData ? null : false);
        if (m.Expression is not null)
        {
            q.Add("Expression", m.Expression).Add("Period", m.Period);
            return;
        }

        var metric = m.Metric ?? throw new ArgumentException($"Query {m.Id} has neither a metric nor an expression.", nameof(m));
        q.Struct("MetricStat", s => s
            .Struct("Metric", x => x
                .Add("Namespace", metric.Namespace)
                .Add("MetricName", metric.MetricName)
                .List("Dimensions", metric.Dimensions, (d, dim) => d.Add("Name", dim.Name).Add("Value", dim.Value)))
            .Add("Period", m.Period)
            .Add("Stat", m.Stat));
    }

    private static List<MetricDimension> Dimensions(XElement e) =>
        e.Members("Dimensions").Select(d => new MetricDimension(d.Str("Name") ?? "", d.Str("Value") ?? "")).ToList();
}
