using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Components.Shared;

/// <summary>
/// Charts of one instance's metrics over the last hour, day or week, refreshed when new points arrive. Self-contained: give it an
/// instance and it reads the metric store itself, so any page (the instance detail, the fleet health view) can show it.
/// </summary>
public sealed partial class InstanceMetricsPanel
{
    private IReadOnlyList<MetricChart>? _charts;
    private MetricRange _range = MetricRange.Day;
    private IDisposable? _subscription;
    private LiveRefresh? _live;

    [Parameter, EditorRequired]
    public required InstanceRef Instance { get; set; }

    [Parameter]
    public MetricRange Range { get; set; } = MetricRange.Day;

    [Inject]
    public required IMetricStore Metrics { get; init; }

    [Inject]
    public required IMonitoringEvents Events { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    protected override void OnInitialized()
    {
        _range = Range;
        _live = new LiveRefresh(() => InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); }), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60));
        _subscription = Events.Subscribe(() => _live.Poke());
    }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task OnRangeChanged(MetricRange range)
    {
        _range = range;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var now = Clock.GetUtcNow();
        var from = now - MetricCharts.Span(_range);
        var charts = new List<MetricChart>();
        foreach (var metric in MetricCharts.Shown)
        {
            var points = await Metrics.QueryAsync([Instance], metric, from, now);
            charts.Add(MetricCharts.Build(metric, points, _range));
        }

        _charts = charts;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }
}
