using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Monitoring;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Shared;

public sealed class InstanceMetricsPanelTests : PortalTestContext
{
    private static readonly InstanceRef Web = new("123456789012", "eu-west-1", "i-0web");
    private readonly FakeMetricStore _metrics = new();
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
    public void Panel_Charts_DrawAxisLabelsAtTheirSizeWhateverTheChartsWidth()
    {
        SignIn("vera", PortalOps.Domain.Security.Role.Viewer);
        _metrics.Points.AddRange(Enumerable.Range(1, 12).Select(i => new MetricPoint(Web, MetricKind.Cpu, Start.AddMinutes(-5 * i), 40 + i)));

        var panel = Render<InstanceMetricsPanel>(p => p.Add(x => x.Instance, Web));

        panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindComponents<MudBlazor.MudChart<double>>()));

        // The view box follows the drawn size (measured in the browser), so the 12 px labels are not scaled down with a narrow chart;
        // PhoneTests measures the rendered size in Chromium at 390 px.
        Assert.All(panel.FindComponents<MudBlazor.MudChart<double>>(), chart => Assert.True(chart.Instance.MatchBoundsToSize));
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
}
