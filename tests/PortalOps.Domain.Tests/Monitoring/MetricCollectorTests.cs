using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Monitoring;

public sealed class MetricCollectorTests
{
    private readonly FakeTimeProvider _clock = new(Make.Now.AddMinutes(2));
    private readonly InMemoryMetricStore _store = new();
    private readonly CountingSource _source = new();
    private readonly Instance _web = Make.Instance("i-0web");
    private readonly Instance _stopped = Make.Instance("i-0off", state: InstanceState.Stopped);

    private MetricCollector Collector() =>
        new(new FakeInventory([_web, _stopped]), _source, _store, MonitoringSettings.Default with { Backfill = TimeSpan.FromHours(1) }, _clock);

    [Fact]
    public async Task Collect_FirstTime_BackfillsRunningInstancesOnly_AndSavesTheirHealth()
    {
        var summary = await Collector().CollectAsync();

        Assert.Equal((1, 6), (summary.Instances, summary.Series));
        Assert.Equal(Make.Now.AddHours(-1), summary.From);
        Assert.Equal(Make.Now, summary.To);
        Assert.All(_source.Requests.Single().Series, s => Assert.Equal(_web.Ref, s.Instance));
        var health = (await _store.HealthOfAsync([_web.Ref]))[_web.Ref];
        Assert.Equal(42, health.Cpu);
        Assert.True(health.StatusCheckFailed);
    }

    [Fact]
    public async Task Collect_AgainInTheSamePeriod_AsksForNothing_AndNextPeriodOnlyForWhatIsNew()
    {
        var collector = Collector();
        await collector.CollectAsync();

        _clock.Advance(TimeSpan.FromMinutes(2));
        var same = await collector.CollectAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));
        var next = await collector.CollectAsync();

        Assert.Equal(0, same.Calls);
        Assert.Equal(2, _source.Requests.Count);
        // One period again (late values) and the one that just closed.
        Assert.Equal((Make.Now.AddMinutes(-5), Make.Now.AddMinutes(5)), (next.From!.Value, next.To!.Value));
    }

    [Fact]
    public async Task Collect_PrunesPointsPastRetention()
    {
        _store.Add(_web.Ref, MetricKind.Cpu, Make.Now.AddDays(-30), 1);

        await Collector().CollectAsync();

        Assert.Empty(await _store.QueryAsync([_web.Ref], MetricKind.Cpu, Make.Now.AddDays(-31), Make.Now.AddDays(-29)));
    }

    private sealed class CountingSource : IMetricsSource
    {
        public List<(IReadOnlyList<SeriesKey> Series, DateTimeOffset From, DateTimeOffset To)> Requests { get; } = [];

        public Task<MetricFetch> FetchAsync(IReadOnlyList<SeriesKey> series, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
        {
            Requests.Add((series, from, to));
            var points = series.Select(s => new MetricPoint(s.Instance, s.Metric, to - period, s.Metric == MetricKind.StatusCheck ? 1 : 42)).ToList();
            return Task.FromResult(new MetricFetch(points, 1, []));
        }

        public Task<IReadOnlyList<InstanceStatusReport>> StatusAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<InstanceStatusReport>>(instances.Select(i => new InstanceStatusReport(i, CheckStatus.Ok, CheckStatus.Ok, Make.Now)).ToList());
    }
}
