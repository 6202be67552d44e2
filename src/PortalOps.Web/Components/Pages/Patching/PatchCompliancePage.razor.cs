using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Patching;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Patching;

/// <summary>Patch compliance per group, account, region or instance (summarized within the person's scope), its trend, and CSV.</summary>
public sealed partial class PatchCompliancePage
{
    private MudTable<PatchComplianceRow>? _table;
    private PatchComplianceDimension _by = PatchComplianceDimension.Group;
    private List<ChartSeries<double>> _series = [];
    private readonly TimeSeriesChartOptions _options = new() { TimeLabelFormat = "MM-dd", TimeLabelSpacing = TimeSpan.FromDays(5), ShowLegend = true, LineStrokeWidth = 2 };

    [Inject]
    public required IPatchComplianceSummary Summary { get; init; }

    [Inject]
    public required IPatchStateStore States { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    protected override async Task OnInitializedAsync()
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync());
        var trend = await States.TrendAsync(scope, DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime.AddDays(-30)));
        _series = trend.Count == 0 ? [] :
        [
            Series("Compliant", trend.Select(t => (t.Day, (double)t.Compliant))),
            Series("Critical", trend.Select(t => (t.Day, (double)t.Critical))),
            Series("Security", trend.Select(t => (t.Day, (double)t.Security))),
            Series("Other", trend.Select(t => (t.Day, (double)t.Other))),
            Series("Unknown", trend.Select(t => (t.Day, (double)t.Unknown))),
        ];
    }

    private static ChartSeries<double> Series(string name, IEnumerable<(DateOnly Day, double Value)> points) =>
        new() { Name = name, Data = new ChartData<double>(points.Select(p => (p.Day.ToDateTime(TimeOnly.MinValue), p.Value)).ToList()) };

    private async Task<TableData<PatchComplianceRow>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var rows = await Summary.SummarizeAsync(scope, _by, cancellationToken);
        return new TableData<PatchComplianceRow> { Items = rows.Skip(state.Page * state.PageSize).Take(state.PageSize).ToList(), TotalItems = rows.Count };
    }

    private Task OnDimensionChanged(PatchComplianceDimension by)
    {
        _by = by;
        return _table?.ReloadServerData() ?? Task.CompletedTask;
    }
}
