using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.LoadBalancing;

/// <summary>
/// Every load balancer the person may see across accounts and regions, filtered and paged by <see cref="LoadBalancingReads"/>
/// (never in the page), with each one's target health as a bar, and the same rows as CSV.
/// </summary>
public sealed partial class LoadBalancers
{
    private MudDataGrid<LoadBalancerRow>? _grid;
    private LoadBalancersFilter _filter = new();
    private IReadOnlyList<string> _regions = [];

    [Inject]
    public required LoadBalancingReads Reads { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    private string CsvUrl => "/load-balancing/load-balancers.csv" + _filter.QueryString();

    public static string DetailUrl(LoadBalancer lb) =>
        $"/load-balancing/{Uri.EscapeDataString(lb.Scope.AccountId)}/{Uri.EscapeDataString(lb.Scope.Region)}/{Uri.EscapeDataString(lb.Name)}";

    protected override void OnInitialized() => _regions = Reads.Scopes.Select(s => s.Region).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private async Task<GridData<LoadBalancerRow>> LoadAsync(GridState<LoadBalancerRow> state, CancellationToken cancellationToken)
    {
        var page = await Reads.QueryAsync(await Current.ActorAsync(cancellationToken), _filter.ToQuery(state.Page, state.PageSize), cancellationToken);
        return new GridData<LoadBalancerRow> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task ChangeAsync(LoadBalancersFilter filter)
    {
        _filter = filter;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }
}
