using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Patching;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Patching;

/// <summary>Patch runs the person may see (newest first, paged in the database), starting one (which asks for approval), and a run's waves and output.</summary>
public sealed partial class Runs
{
    private MudTable<PatchRun>? _table;
    private IReadOnlyList<PatchGroup> _groups = [];
    private IReadOnlyDictionary<string, string> _waveProblems = new Dictionary<string, string>();
    private PatchRun? _selected;
    private string? _group;
    private int _canary = WavePlan.Default.CanaryPercent;
    private int _batch = WavePlan.Default.BatchPercent;
    private int _quiet = 15;
    private RebootPolicy _reboot = RebootPolicy.RebootIfNeeded;
    private string? _message;
    private bool _messageOk;
    private bool _starting;
    private string _key = Guid.NewGuid().ToString("N");

    [Inject]
    public required IPatchRunStore Store { get; init; }

    [Inject]
    public required IPatchCatalog Catalog { get; init; }

    [Inject]
    public required PatchRuns Starter { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _groups = await Catalog.GroupsAsync();
        _group = _groups.FirstOrDefault()?.Name;
    }

    private async Task<TableData<PatchRun>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await Store.QueryAsync(scope, state.Page, state.PageSize, cancellationToken);
        return new TableData<PatchRun> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private async Task StartAsync()
    {
        _waveProblems = WavePlan.Problems(_canary, _batch);
        if (_waveProblems.Count > 0 || _group is null)
        {
            (_message, _messageOk) = (_group is null ? "Choose a patch group." : null, false);
            return;
        }

        _starting = true;
        try
        {
            var start = await Starter.StartAsync(await Current.ActorAsync(), new PatchRunRequest(_group, _canary, _batch, _reboot, _quiet, _key));
            (_message, _messageOk) = (start.Result.Message, start.Result.IsSuccess);
            if (start.Run is not null)
            {
                _selected = start.Run;
                _key = Guid.NewGuid().ToString("N");
            }

            if (_table is not null)
            {
                await _table.ReloadServerData();
            }
        }
        finally
        {
            _starting = false;
        }
    }

    private void OnRowClick(TableRowClickEventArgs<PatchRun> args) => _selected = args.Item;
}
