using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>
/// The compliance overview: the latest scan's score overall, per account/region and per policy, the 30-day trend, and the findings
/// grid paged and filtered in the store. Everything is read through the Authorizer's read scope, so a person sees only their scopes.
/// </summary>
public sealed partial class ComplianceOverview
{
    private MudDataGrid<Finding>? _grid;
    private FindingsFilter _filter = new();
    private ComplianceScore? _overall;
    private DateTimeOffset? _lastScan;
    private IReadOnlyList<ComplianceScore> _byScope = [];
    private IReadOnlyList<ComplianceScore> _byPolicy = [];
    private List<ChartSeries<double>> _trend = [];

    [Inject]
    public required IFindingStore Store { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    private string CsvUrl => "/compliance/findings.csv" + _filter.QueryString();

    // The report lists open findings whatever the grid's status filter, so the status is left out of its link.
    private string PdfUrl => "/compliance/report.pdf" + (_filter with { Status = null }).QueryString();

    protected override async Task OnInitializedAsync()
    {
        var visibleTo = Authorizer.ReadScopeOf(await Current.ActorAsync());
        var scans = (await Store.ScansAsync(Clock.GetUtcNow().AddDays(-30), visibleTo)).Where(s => s.Tallies.Count > 0).ToList();
        if (scans.Count == 0)
        {
            return;
        }

        var latest = scans[^1];
        (_byScope, _byPolicy, _overall) = ComplianceScore.Of(latest.Tallies);
        _lastScan = latest.At;
        _trend = [new ChartSeries<double> { Name = "Score %", Data = new ChartData<double>(scans.Select(s => (s.At.UtcDateTime, ComplianceScore.Of(s.Tallies).Overall.Percent)).ToList()) }];
    }

    private async Task<GridData<Finding>> LoadAsync(GridState<Finding> state, CancellationToken cancellationToken)
    {
        var visibleTo = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await Store.QueryAsync(_filter.ToQuery(visibleTo, state.Page, state.PageSize), cancellationToken);
        return new GridData<Finding> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task OnFilterChangedAsync(FindingsFilter filter)
    {
        _filter = filter;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private Task FilterPolicyAsync(string policyId) => OnFilterChangedAsync(_filter with { PolicyId = policyId });
}
