using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>Realized savings of applied recommendations the person may see: the running total (chart), the monthly rate, and each change (paged, CSV).</summary>
public sealed partial class SavingsPage
{
    public const int Days = 90;

    private Actor? _actor;
    private SavingsOverview? _overview;
    private MudDataGrid<AppliedSaving>? _grid;
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];

    [Inject]
    public required SavingsTracker Savings { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _actor = await Current.ActorAsync();
        await Savings.SettleAsync(); // outcomes since the last watch run count at once
        _overview = await Savings.OverviewAsync(_actor, Days);
        _labels = _overview.Daily.Select((d, i) => i % 15 == 0 || i == _overview.Daily.Count - 1 ? d.Day.ToString("MM-dd", CultureInfo.InvariantCulture) : string.Empty).ToArray();
        _series = [new ChartSeries<double> { Name = "Saved (USD)", Data = new ChartData<double>(_overview.Daily.Select(d => (double)d.Cumulative).ToList()) }];
    }

    private async Task<GridData<AppliedSaving>> LoadAsync(GridState<AppliedSaving> state, CancellationToken cancellationToken)
    {
        if (_actor is null)
        {
            return new GridData<AppliedSaving> { Items = [], TotalItems = 0 };
        }

        var page = await Savings.QueryAsync(_actor, null, state.Page, state.PageSize, cancellationToken);
        return new GridData<AppliedSaving> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private static string State(AppliedSaving s) => s.State switch
    {
        SavingState.Pending => "waiting for approval",
        SavingState.Realized => $"carried out {s.RealizedAt:yyyy-MM-dd HH:mm} UTC",
        SavingState.NotCarriedOut => $"not carried out{(string.IsNullOrEmpty(s.Outcome) ? string.Empty : ": " + s.Outcome)}",
    };
}
