using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>The fleet at a glance: the hottest instances first (sorted and paged in the database), open alerts by severity, charts of one instance.</summary>
public sealed partial class FleetHealth : IDisposable
{
    private MudDataGrid<InstanceHealth>? _grid;
    private IReadOnlyList<Alert> _open = [];
    private InstanceHealth? _selected;
    private string? _text;
    private IDisposable? _subscription;
    private LiveRefresh? _live;

    [Inject]
    public required IMetricStore Metrics { get; init; }

    [Inject]
    public required IAlertStore Alerts { get; init; }

    [Inject]
    public required IMonitoringEvents Events { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _open = await MonitoringCard.VisibleOpenAlertsAsync(Alerts, Authorizer.ReadScopeOf(await Current.ActorAsync()));
        _live = new LiveRefresh(() => InvokeAsync(RefreshAsync), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60));
        _subscription = Events.Subscribe(() => _live.Poke());
    }

    internal static HealthQuery BuildQuery(GridState<InstanceHealth> state, string? text)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var by = sort?.SortBy switch
        {
            "Name" => HealthSort.Name,
            "Network in" or nameof(InstanceHealth.NetworkIn) => HealthSort.NetworkIn,
            "Network out" or nameof(InstanceHealth.NetworkOut) => HealthSort.NetworkOut,
            "Status checks" or nameof(InstanceHealth.StatusCheckFailed) => HealthSort.Status,
            _ => HealthSort.Cpu,
        };
        return new HealthQuery(by, sort?.Descending ?? true, text, state.Page, state.PageSize);
    }

    private async Task<GridData<InstanceHealth>> LoadAsync(GridState<InstanceHealth> state, CancellationToken cancellationToken)
    {
        var visibleTo = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await Metrics.HealthAsync(BuildQuery(state, _text) with { VisibleTo = visibleTo }, cancellationToken);
        return new GridData<InstanceHealth> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private async Task RefreshAsync()
    {
        _open = await MonitoringCard.VisibleOpenAlertsAsync(Alerts, Authorizer.ReadScopeOf(await Current.ActorAsync()));
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }

        StateHasChanged();
    }

    private Task OnTextChanged(string? text)
    {
        _text = text;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private void OnRowClick(DataGridRowClickEventArgs<InstanceHealth> args) => _selected = args.Item;

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }
}
