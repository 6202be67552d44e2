using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Scaling;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>
/// Every Auto Scaling group the person may see, across accounts and regions: filtered (name, region, short or unhealthy) and paged
/// on the server by <see cref="ScalingOperations"/>, which keeps to the person's read scope. Each row opens the group's page.
/// </summary>
public sealed partial class ScalingGroups
{
    private MudDataGrid<ScalingGroup>? _grid;
    private string? _text;
    private string? _region;
    private bool _unsettled;
    private IReadOnlyList<string> _problems = [];

    [Inject]
    public required ScalingOperations Scaling { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string CsvHref => ScalingLinks.Csv(_text, _region, _unsettled);

    private static string GroupHref(ScalingGroup group) => ScalingLinks.Group(group.Ref);

    private async Task<GridData<ScalingGroup>> LoadAsync(GridState<ScalingGroup> state, CancellationToken cancellationToken)
    {
        var actor = await Current.ActorAsync(cancellationToken);
        var (page, problems) = await Scaling.ListAsync(actor, new ScalingGroupQuery(state.Page, state.PageSize) { Text = _text, Region = _region, OnlyUnsettled = _unsettled }, cancellationToken);
        _problems = problems;
        return new GridData<ScalingGroup> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task OnTextChanged(string? text)
    {
        _text = text;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private Task OnRegionChanged(string? region)
    {
        _region = string.IsNullOrWhiteSpace(region) ? null : region.Trim();
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private Task OnUnsettledChanged(bool value)
    {
        _unsettled = value;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private void OnRowClick(DataGridRowClickEventArgs<ScalingGroup> args) => Navigation.NavigateTo(ScalingLinks.Group(args.Item.Ref));
}
