using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Patching;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Patching;

/// <summary>
/// Every instance's agent and patch state, filtered (agent online / offline, compliance, text) and paged in the database within what
/// the person may see; a click shows why an agent is offline and how to fix it. The same rows, all pages, download as CSV.
/// </summary>
public sealed partial class ManagedInstances
{
    private MudDataGrid<InstancePatchState>? _grid;
    private InstancePatchState? _selected;
    private string? _text;
    private string _agent = "all";
    private PatchComplianceLevel? _compliance;

    [Inject]
    public required IPatchStateStore States { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [SupplyParameterFromQuery(Name = "agent")]
    public string? AgentQuery { get; set; }

    private DateTimeOffset Now => Clock.GetUtcNow();

    private ManagedInstancesFilter Filter => new()
    {
        Text = _text, AgentOnline = _agent switch { "online" => true, "offline" => false, _ => null }, Compliance = _compliance,
    };

    /// <summary>Every row matching the current filters (all pages), within the person's scope, as CSV.</summary>
    private string CsvUrl => Filter.CsvUrl();

    protected override void OnInitialized()
    {
        if (AgentQuery is "online" or "offline")
        {
            _agent = AgentQuery;
        }
    }

    private async Task<GridData<InstancePatchState>> LoadAsync(GridState<InstancePatchState> state, CancellationToken cancellationToken)
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await States.QueryAsync(Filter.ToQuery(scope, Now, state.Page, state.PageSize), cancellationToken);
        return new GridData<InstancePatchState> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task OnTextChanged(string? text)
    {
        _text = text;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private Task OnAgentChanged(string agent)
    {
        _agent = agent;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private Task OnComplianceChanged(PatchComplianceLevel? level)
    {
        _compliance = level;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private void OnRowClick(DataGridRowClickEventArgs<InstancePatchState> args) => _selected = args.Item;
}
