using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Monitoring;
using PortalOps.Web.Components.Shared;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>The dashboard's fleet health card: open alerts and the five hottest instances.</summary>
public sealed partial class MonitoringCard : IDisposable
{
    private IReadOnlyList<Alert> _open = [];
    private IReadOnlyList<InstanceHealth> _hottest = [];
    private IDisposable? _subscription;
    private LiveRefresh? _live;

    [Inject]
    public required IAlertStore Alerts { get; init; }

    [Inject]
    public required IMetricStore Metrics { get; init; }

    [Inject]
    public required IMonitoringEvents Events { get; init; }

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        _live = new LiveRefresh(() => InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); }), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60));
        _subscription = Events.Subscribe(() => _live.Poke());
    }

    private async Task LoadAsync()
    {
        _open = await Alerts.ListOpenAsync();
        _hottest = (await Metrics.HealthAsync(new HealthQuery(PageSize: 5))).Items;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }
}
