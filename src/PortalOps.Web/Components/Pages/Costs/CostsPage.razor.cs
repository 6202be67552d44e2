using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Costs;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>
/// Where the money goes: month to date against the same days last month, the month-end estimate and the three-month forecast, the
/// top movers, and a spend view by service, account, region, instance type or cost-allocation tag (chart, table, CSV), for the
/// accounts the person's scope covers whole; then the recommendations grid. Cost Explorer answers are cached, and their age is shown.
/// </summary>
public sealed partial class CostsPage
{
    private Actor? _actor;
    private IReadOnlyList<string> _visible = [];
    private SpendSummary? _summary;
    private SpendReport? _report;
    private SavingsTotals? _savings;
    private SpendFilter _filter = new();
    private string? _error;
    private bool _mayScan;
    private List<ChartSeries<double>> _series = [];
    private CoverageView? _coverage;
    private string? _prices;
    private string[] _labels = [];

    [Inject]
    public required CostOverview Overview { get; init; }

    [Inject]
    public required CostRecommendations Recommendations { get; init; }

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    private string SpendCsvUrl => "/costs/spend.csv" + _filter.QueryString();

    private string AgeText
    {
        get
        {
            var asOf = _report is null ? _summary?.AsOf : _summary is null ? _report.AsOf : (_report.AsOf < _summary.AsOf ? _report.AsOf : _summary.AsOf);
            if (asOf is not { } at)
            {
                return string.Empty;
            }

            var age = Clock.GetUtcNow() - at;
            var source = Cloud.Accounts.Any(a => a.IsSandbox) ? "Sandbox bill" : "Cost Explorer";
            return $"{source} as of {at:yyyy-MM-dd HH:mm} UTC ({(age < TimeSpan.FromMinutes(1) ? "just now" : $"{(int)age.TotalMinutes} min ago")}); amounts are unblended list cost in {_summary?.Currency ?? "USD"}.";
        }
    }

    protected override async Task OnInitializedAsync()
    {
        _actor = await Current.ActorAsync();
        _mayScan = _actor.IsAtLeast(Role.Operator) && Services.GetService<CostScanRequests>() is not null;
        _visible = CostOverview.VisibleAccounts(_actor, Cloud.Accounts.Select(a => a.Id));
        _savings = await Recommendations.TotalsAsync(_actor);
        _filter = SpendFilter.Default(Overview.Today);
        if (Services.GetService<IPriceStore>() is { } prices)
        {
            _prices = (await prices.LoadAsync()).Describe();
        }

        if (_visible.Count == 0)
        {
            return;
        }

        // Coverage is per account, like spend: shown for the accounts the person sees whole.
        if (Services.GetService<ICostCoverageStore>() is { } coverage)
        {
            _coverage = await coverage.LatestAsync(_visible.ToHashSet(StringComparer.Ordinal));
        }

        _summary = await Overview.SummaryAsync(_visible);
        await LoadSpendAsync();
    }

    private async Task LoadSpendAsync()
    {
        try
        {
            _error = null;
            _report = await Overview.SpendAsync(_filter.ToQuery(), _visible);
            BuildChart(_report);
        }
        catch (CostRuleException e)
        {
            _error = e.Message;
            _report = null;
        }
    }

    private Task OnFilterChangedAsync(SpendFilter filter)
    {
        _filter = filter;
        return LoadSpendAsync();
    }

    private void BuildChart(SpendReport report)
    {
        var periods = report.ByPeriod().Select(p => p.Start).ToList();
        var top = report.ByGroup().Take(5).Select(g => g.Group).ToList();
        _labels = periods.Select(p => report.Query.Granularity == SpendGranularity.Monthly ? p.ToString("MMM yy", CultureInfo.InvariantCulture) : p.ToString("MM-dd", CultureInfo.InvariantCulture)).ToArray();
        var byKey = report.Lines.GroupBy(l => (l.Start, top.Contains(l.Group) ? l.Group : "Other")).ToDictionary(g => g.Key, g => (double)g.Sum(l => l.Amount));
        _series = top.Concat(byKey.Keys.Any(k => k.Item2 == "Other") ? ["Other"] : Array.Empty<string>())
            .Select(g => new ChartSeries<double> { Name = g, Data = new ChartData<double>(periods.Select(p => byKey.GetValueOrDefault((p, g))).ToList()) })
            .ToList();
    }

    private void ScanNow()
    {
        Services.GetService<CostScanRequests>()?.Request();
        Snackbar.Add("Cost scan queued; recommendations refresh when it finishes.", MudBlazor.Severity.Info);
    }

    internal static string Money(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " USD";

    private static string Change(decimal now, decimal before) =>
        before == 0 ? "n/a" : $"{(now - before) / before:+0.0%;-0.0%;0.0%}";
}
