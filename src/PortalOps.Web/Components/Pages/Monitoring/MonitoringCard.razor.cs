using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

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

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        _live = new LiveRefresh(() => InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); }), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60));
        _subscription = Events.Subscribe(() => _live.Poke());
    }

    private async Task LoadAsync()
    {
        _open = await VisibleOpenAlertsAsync(Alerts, Authorizer.ReadScopeOf(await Current.ActorAsync()));
        _hottest = (await Metrics.HealthAsync(new HealthQuery(PageSize: 5) { VisibleTo = Authorizer.ReadScopeOf(await Current.ActorAsync()) })).Items;
    }

    /// <summary>The open alerts a person may see (at most 200, the most recent first), read through the alert store's scoped query.</summary>
    internal static async Task<IReadOnlyList<Alert>> VisibleOpenAlertsAsync(IAlertStore alerts, ReadScope visibleTo) =>
        (await alerts.QueryAsync(new AlertQuery(OpenOnly: true, PageSize: 200) { VisibleTo = visibleTo })).Items;

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }
}
