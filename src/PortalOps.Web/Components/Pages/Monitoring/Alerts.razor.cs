using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Monitoring;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>Alerts, newest first; open ones only by default; refreshed when an evaluation changes something.</summary>
public sealed partial class Alerts : IDisposable
{
    private MudDataGrid<Alert>? _grid;
    private bool _openOnly = true;
    private IDisposable? _subscription;
    private LiveRefresh? _live;

    [Inject]
    public required IAlertStore Store { get; init; }

    [Inject]
    public required IMonitoringEvents Events { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override void OnInitialized()
    {
        _live = new LiveRefresh(() => InvokeAsync(() => _grid?.ReloadServerData() ?? Task.CompletedTask), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        _subscription = Events.Subscribe(() => _live.Poke());
    }

    private async Task<GridData<Alert>> LoadAsync(GridState<Alert> state, CancellationToken cancellationToken)
    {
        var visibleTo = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await Store.QueryAsync(new AlertQuery(_openOnly, PageIndex: state.Page, PageSize: state.PageSize) { VisibleTo = visibleTo }, cancellationToken);
        return new GridData<Alert> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task OnOpenOnlyChanged(bool value)
    {
        _openOnly = value;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }
}
