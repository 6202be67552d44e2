using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>A metric store with nothing collected yet: pages that show metrics say "No data".</summary>
public sealed class EmptyMetricStore : IMetricStore
{
    public Task UpsertAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<MetricPoint>> QueryAsync(IReadOnlyCollection<InstanceRef> instances, MetricKind metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<MetricPoint>>([]);

    public Task SaveHealthAsync(IReadOnlyList<InstanceHealth> health, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<InstanceHealth>> HealthAsync(HealthQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Page<InstanceHealth>.Empty());

    public Task<IReadOnlyDictionary<InstanceRef, InstanceHealth>> HealthOfAsync(IReadOnlyCollection<InstanceRef> instances, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<InstanceRef, InstanceHealth>>(new Dictionary<InstanceRef, InstanceHealth>());

    public Task<DateTimeOffset?> WatermarkAsync(CancellationToken cancellationToken = default) => Task.FromResult<DateTimeOffset?>(null);

    public Task SetWatermarkAsync(DateTimeOffset collectedUntil, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Task.FromResult(0);
}
