using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>
/// The recommendations the person's scope covers, paged and filtered in the store, with CSV; Operators apply one (through the action
/// pipeline, where it waits for approval), attach an off-hours schedule to an idle instance instead (<see cref="AttachSchedulePanel"/>),
/// or dismiss it with a reason and an expiry.
/// </summary>
public sealed partial class RecommendationsGrid
{
    private MudDataGrid<RecommendationView>? _grid;
    private RecommendationFilter _filter = new();
    private RecommendationView? _dismissing;
    private string? _reason;
    private int _days = 30;
    private string? _dismissError;

    private RecommendationView? _scheduling;
    private RecommendationSchedules? _schedules;

    private ResizeTiming _timing = ResizeTiming.Now;
    private string? _at;

    [Parameter]
    public Actor? Actor { get; set; }

    /// <summary>Which source and date the prices come from (one line).</summary>
    [Parameter]
    public string? Prices { get; set; }

    [Inject]
    public required CostRecommendations Recommendations { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    private DateTimeOffset Now => Clock.GetUtcNow();

    private bool MayAct => Actor?.IsAtLeast(Role.Operator) == true;

    private string CsvUrl => "/costs/recommendations.csv" + _filter.QueryString();

    private async Task<GridData<RecommendationView>> LoadAsync(GridState<RecommendationView> state, CancellationToken cancellationToken)
    {
        if (Actor is null)
        {
            return new GridData<RecommendationView> { Items = [], TotalItems = 0 };
        }

        var page = await Recommendations.QueryAsync(Actor, _filter.ToQuery(Now, state.Page, state.PageSize), cancellationToken);
        return new GridData<RecommendationView> { Items = page.Items, TotalItems = page.TotalCount };
    }

    protected override void OnInitialized() =>
        // Offered where off-hours schedules are part of the portal.
        _schedules = Services.GetService(typeof(RecommendationSchedules)) as RecommendationSchedules;

    protected override Task OnParametersSetAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private Task FilterAsync(RecommendationFilter filter)
    {
        _filter = filter;
        return _grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private async Task ApplyAsync(RecommendationView view)
    {
        if (Actor is null)
        {
            return;
        }

        DateTimeOffset? notBefore = null;
        if (_timing == ResizeTiming.At)
        {
            if (!DateTimeOffset.TryParse(_at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                Snackbar.Add("Give the time as yyyy-MM-dd HH:mm (UTC).", MudBlazor.Severity.Warning);
                return;
            }

            notBefore = at.ToUniversalTime();
        }

        var result = await Recommendations.ApplyAsync(Actor, view.Recommendation.Key, _timing, notBefore);
        Snackbar.Add(result.Message, result.IsSuccess ? MudBlazor.Severity.Success : MudBlazor.Severity.Warning);
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }
    }

    private void StartSchedule(RecommendationView view)
    {
        _dismissing = null;
        _scheduling = view;
    }

    private async Task ScheduledAsync(ActionResult? result)
    {
        _scheduling = null;
        if (result is null)
        {
            return;
        }

        Snackbar.Add(result.Message, MudBlazor.Severity.Success);
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }
    }

    private void StartDismiss(RecommendationView view)
    {
        _scheduling = null;
        _dismissing = view;
        _reason = null;
        _dismissError = null;
    }

    private async Task ConfirmDismissAsync()
    {
        if (Actor is null || _dismissing is null)
        {
            return;
        }

        var result = await Recommendations.DismissAsync(Actor, _dismissing.Recommendation.Key, _reason, Now.AddDays(_days));
        if (!result.IsSuccess && result.Status != ActionStatus.Executed)
        {
            _dismissError = result.Message;
            return;
        }

        Snackbar.Add(result.Message, MudBlazor.Severity.Success);
        _dismissing = null;
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }
    }
}
