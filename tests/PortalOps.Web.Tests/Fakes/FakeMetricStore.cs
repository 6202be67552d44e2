using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Points in a list; remembers the length of every window asked for.</summary>
public sealed class FakeMetricStore : IMetricStore
{
    public List<MetricPoint> Points { get; } = [];

    public List<TimeSpan> Windows { get; } = [];

    public Task<IReadOnlyList<MetricPoint>> QueryAsync(IReadOnlyCollection<InstanceRef> instances, MetricKind metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        Windows.Add(to - from);
        return Task.FromResult<IReadOnlyList<MetricPoint>>(Points.Where(p => instances.Contains(p.Instance) && p.Metric == metric && p.At >= from && p.At < to).OrderBy(p => p.At).ToList());
    }

    public Task UpsertAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SaveHealthAsync(IReadOnlyList<InstanceHealth> health, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<InstanceHealth>> HealthAsync(HealthQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Page<InstanceHealth>.Empty());

    public Task<IReadOnlyDictionary<InstanceRef, InstanceHealth>> HealthOfAsync(IReadOnlyCollection<InstanceRef> instances, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<InstanceRef, InstanceHealth>>(new Dictionary<InstanceRef, InstanceHealth>());

    public Task<DateTimeOffset?> WatermarkAsync(CancellationToken cancellationToken = default) => Task.FromResult<DateTimeOffset?>(null);

    public Task SetWatermarkAsync(DateTimeOffset collectedUntil, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Task.FromResult(0);
}
