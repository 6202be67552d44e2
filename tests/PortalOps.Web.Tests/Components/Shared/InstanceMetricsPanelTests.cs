using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Monitoring;
using PortalOps.Web.Components.Shared;

namespace PortalOps.Web.Tests.Components.Shared;

public sealed class InstanceMetricsPanelTests : PortalTestContext
{
    private static readonly InstanceRef Web = new("123456789012", "eu-west-1", "i-0web");
    private readonly RecordingMetrics _metrics = new();
    private readonly MonitoringEvents _events = new();

    public InstanceMetricsPanelTests()
    {
        Services.AddSingleton<IMetricStore>(_metrics);
        Services.AddSingleton<IMonitoringEvents>(_events);
    }

    [Fact]
    public void Panel_DrawsEachMetric_AndSaysNoDataWhereThereIsNone()
    {
        SignIn("vera", PortalOps.Domain.Security.Role.Viewer);
        _metrics.Points.AddRange(Enumerable.Range(1, 12).Select(i => new MetricPoint(Web, MetricKind.Cpu, Start.AddMinutes(-5 * i), 40 + i)));

        var panel = Render<InstanceMetricsPanel>(p => p.Add(x => x.Instance, Web));

        panel.WaitForAssertion(() => Assert.NotEmpty(panel.Find("[data-testid=chart-Cpu]").QuerySelectorAll("svg")));
        Assert.Contains("41 %", panel.Find("[data-testid=chart-Cpu]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(panel.Find("[data-testid=nodata-NetworkIn]"));
        Assert.Equal(TimeSpan.FromHours(24), _metrics.Windows.Last());
    }

    [Fact]
    public void Range_SevenDays_ReadsAWeek_AndNewPointsRefreshThePanel()
    {
        SignIn("vera", PortalOps.Domain.Security.Role.Viewer);
        var panel = Render<InstanceMetricsPanel>(p => p.Add(x => x.Instance, Web));

        panel.Find("[data-testid='range-7 d']").Click();
        panel.WaitForAssertion(() => Assert.Equal(TimeSpan.FromDays(7), _metrics.Windows.Last()));

        _metrics.Points.Add(new MetricPoint(Web, MetricKind.NetworkIn, Start.AddMinutes(-5), 5 * 1024 * 1024));
        _events.Publish();
        panel.WaitForAssertion(() => Assert.Contains("5 MiB", panel.Find("[data-testid=chart-NetworkIn]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Downsample_AWeek_IsHourlyAverages()
    {
        var points = Enumerable.Range(0, 24).Select(i => new MetricPoint(Web, MetricKind.Cpu, Start.AddMinutes(5 * i), i < 12 ? 10 : 30)).ToList();

        var hourly = MetricCharts.Downsample(points, TimeSpan.FromHours(1));

        Assert.Equal([10.0, 30.0], hourly.Select(p => p.Value));
    }

    private sealed class RecordingMetrics : IMetricStore
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
}
