using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Monitoring;

/// <summary>What one collection did.</summary>
public sealed record CollectionSummary(int Instances, int Series, int Points, int Calls, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<string> Errors)
{
    public static CollectionSummary Nothing(int instances) => new(instances, 0, 0, 0, null, null, []);
}

/// <summary>
/// Collects the metrics of every running instance for the periods that closed since the last collection (plus one period again,
/// for values that arrive late), and their status checks; keeps the latest health of each instance and drops points past retention.
/// </summary>
public sealed class MetricCollector(IInventory inventory, IMetricsSource source, IMetricStore store, MonitoringSettings settings, TimeProvider clock, IMonitoringEvents? events = null)
{
    public static IReadOnlyList<MetricKind> DefaultMetrics { get; } = Enum.GetValues<MetricKind>();

    public IReadOnlyList<MetricKind> Metrics { get; init; } = DefaultMetrics;

    public async Task<CollectionSummary> CollectAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var period = settings.CollectionPeriod;
        var end = RuleEvaluator.Floor(now, period);
        var watermark = await store.WatermarkAsync(cancellationToken);
        var fleet = (await Fleet.AllAsync(inventory, cancellationToken)).Where(i => i.State is InstanceState.Running or InstanceState.Stopping).ToList();
        if (watermark is { } done && done >= end)
        {
            return CollectionSummary.Nothing(fleet.Count);
        }

        var start = watermark is { } last ? last - period : end - settings.Backfill;
        start = start < end - settings.Retention ? end - settings.Retention : start;
        var series = fleet.SelectMany(i => Metrics.Select(m => new SeriesKey(i.Ref, m))).ToList();
        var fetch = series.Count == 0 ? new MetricFetch([], 0, []) : await source.FetchAsync(series, start, end, period, cancellationToken);
        await store.UpsertAsync(fetch.Points, cancellationToken);

        var statuses = fleet.Count == 0 ? [] : (await source.StatusAsync(fleet.Select(i => i.Ref).ToList(), cancellationToken)).ToDictionary(s => s.Instance);
        var latest = fetch.Points.GroupBy(p => (p.Instance, p.Metric)).ToDictionary(g => g.Key, g => g.MaxBy(p => p.At)!);
        var previous = await store.HealthOfAsync(fleet.Select(i => i.Ref).ToList(), cancellationToken);
        var health = fleet.Select(i =>
        {
            previous.TryGetValue(i.Ref, out var before);
            double? Latest(MetricKind m, double? fallback) => latest.TryGetValue((i.Ref, m), out var p) ? p.Value : fallback;
            var status = statuses.GetValueOrDefault(i.Ref);
            var lastAt = Metrics.Select(m => latest.TryGetValue((i.Ref, m), out var p) ? p.At : (DateTimeOffset?)null).Max() ?? before?.LastPointAt;
            return new InstanceHealth(
                i.Ref, i.Name, Latest(MetricKind.Cpu, before?.Cpu), Latest(MetricKind.NetworkIn, before?.NetworkIn), Latest(MetricKind.NetworkOut, before?.NetworkOut),
                (Latest(MetricKind.StatusCheck, null) ?? 0) >= 1 || status is { Impaired: true },
                status?.System ?? CheckStatus.InsufficientData, status?.InstanceCheck ?? CheckStatus.InsufficientData, lastAt) { Tags = i.Tags };
        }).ToList();
        await store.SaveHealthAsync(health, cancellationToken);
        await store.SetWatermarkAsync(end, cancellationToken);
        await store.PruneAsync(now - settings.Retention, cancellationToken);
        events?.Publish();
        return new CollectionSummary(fleet.Count, series.Count, fetch.Points.Count, fetch.Calls, start, end, fetch.Errors);
    }
}
