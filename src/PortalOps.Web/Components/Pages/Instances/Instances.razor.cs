using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Instances;

public sealed partial class Instances
{
    private MudDataGrid<Instance>? _grid;
    private InventoryHealth? _health;
    private HashSet<Instance> _selected = new(InstanceComparer.Instance);
    private IReadOnlyList<Instance> _page = [];
    private IDisposable? _subscription;
    private LiveRefresh? _live;
    private string? _text;
    private InstanceState? _state;
    private string? _region;
    private string? _tag;
    private IReadOnlyList<Scope> _scopes = [];
    private bool _canAct;
    private bool _busy;

    [Inject]
    public required IInventory Inventory { get; init; }

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Inject]
    public required IFleetEvents FleetEvents { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync()
    {
        var user = await Current.UserAsync();
        _canAct = user is { Role: >= Role.Operator };

        // A person sees only the instances one of their scopes covers (none without scopes: deny by default).
        _scopes = user?.Scopes ?? [];
        _live = new LiveRefresh(() => InvokeAsync(ReloadAsync), TimeSpan.FromMilliseconds(400));
        _subscription = FleetEvents.Subscribe(_ => _live.Poke());
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }

    internal InstanceQuery BuildQuery(GridState<Instance> state)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        string? account = null, region = null;
        if (_region?.Split('/') is [var a, var r])
        {
            (account, region) = (a, r);
        }

        return new InstanceQuery
        {
            Text = _text,
            State = _state,
            AccountId = account,
            Region = region,
            Tag = _tag,
            VisibleTo = _scopes,
            SortBy = sort?.SortBy switch
            {
                nameof(Instance.InstanceId) => InstanceSort.InstanceId,
                nameof(Instance.State) => InstanceSort.State,
                nameof(Instance.InstanceType) => InstanceSort.Type,
                nameof(Instance.Region) => InstanceSort.Region,
                nameof(Instance.LaunchTime) => InstanceSort.LaunchTime,
                _ => InstanceSort.Name,
            },
            Descending = sort?.Descending ?? false,
            PageIndex = state.Page,
            PageSize = state.PageSize,
        };
    }

    private async Task<GridData<Instance>> LoadAsync(GridState<Instance> state, CancellationToken cancellationToken)
    {
        var page = await Inventory.QueryAsync(BuildQuery(state), cancellationToken);
        _health?.Update();

        // Keep selected rows current (their state changes while they are selected).
        var fresh = page.Items.ToDictionary(i => i.Ref);
        _selected = _selected.Select(s => fresh.GetValueOrDefault(s.Ref) ?? s).ToHashSet(InstanceComparer.Instance);
        _page = page.Items;
        return new GridData<Instance> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private Task OnTextChanged(string? value) => SetFilter(() => _text = value);

    private Task OnStateChanged(InstanceState? value) => SetFilter(() => _state = value);

    private Task OnRegionChanged(string? value) => SetFilter(() => _region = value);

    private Task OnTagChanged(string? value) => SetFilter(() => _tag = value);

    private Task SetFilter(Action set)
    {
        set();
        return ReloadAsync();
    }

    private bool AllOnPageSelected => _page.Count > 0 && _page.All(_selected.Contains);

    private void Toggle(Instance instance, ChangeEventArgs e)
    {
        if (e.Value is true)
        {
            _selected.Add(instance);
        }
        else
        {
            _selected.Remove(instance);
        }
    }

    private void ToggleAllOnPage(ChangeEventArgs e)
    {
        foreach (var instance in _page)
        {
            if (e.Value is true)
            {
                _selected.Add(instance);
            }
            else
            {
                _selected.Remove(instance);
            }
        }
    }

    private async Task SubmitAsync(InstanceActionSubmission confirmed)
    {
        if (confirmed.Targets.Count == 0)
        {
            return;
        }

        _busy = true;
        try
        {
            var actor = await Current.ActorAsync();
            var result = await Pipeline.SubmitAsync(actor, new ActionRequest(confirmed.Kind, confirmed.Targets));
            Snackbar.Add(result.Message, result.Status switch
            {
                ActionStatus.Executed => Severity.Success,
                ActionStatus.PendingApproval => Severity.Info,
                ActionStatus.PartlySucceeded => Severity.Warning,
                _ => Severity.Error,
            });
            if (result.IsSuccess)
            {
                _selected = new HashSet<Instance>(InstanceComparer.Instance);
            }

            await ReloadAsync();
        }
        catch (PortalOps.Domain.Common.DomainException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }
}

/// <summary>Two rows are the same instance whatever their state.</summary>
public sealed class InstanceComparer : IEqualityComparer<Instance>
{
    public static InstanceComparer Instance { get; } = new();

    public bool Equals(Instance? x, Instance? y) => x?.Ref == y?.Ref;

    public int GetHashCode(Instance obj) => obj.Ref.GetHashCode();
}
