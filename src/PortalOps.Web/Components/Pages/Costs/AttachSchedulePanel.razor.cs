using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>
/// "Attach off-hours schedule" for an idle instance's recommendation: the person picks one of the schedules they may use there, and one
/// press submits the tag edit through the action pipeline (it waits for approval); a refusal is shown here, and nothing was submitted.
/// </summary>
public sealed partial class AttachSchedulePanel
{
    private IReadOnlyList<SavedSchedule>? _choices;
    private string? _chosen;
    private string? _error;
    private bool _busy;

    [Parameter, EditorRequired]
    public required RecommendationView View { get; set; }

    [Parameter, EditorRequired]
    public required Actor Actor { get; set; }

    [Parameter, EditorRequired]
    public required RecommendationSchedules Schedules { get; set; }

    /// <summary>Called with the pipeline's answer once the change was submitted, or with null when the person cancels.</summary>
    [Parameter]
    public EventCallback<ActionResult?> Done { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _error = null;
        _choices = await Schedules.ChoicesAsync(Actor, View.Recommendation);
        _chosen = _choices.Count == 1 ? _choices[0].Name : _choices.Any(c => c.Name == _chosen) ? _chosen : null;
    }

    private async Task AttachAsync()
    {
        _busy = true;
        try
        {
            var result = await Schedules.AttachAsync(Actor, View.Recommendation.Key, _chosen);
            if (!result.IsSuccess)
            {
                _error = result.Message;
                return;
            }

            await Done.InvokeAsync(result);
        }
        finally
        {
            _busy = false;
        }
    }

    private Task CancelAsync() => Done.InvokeAsync(null);
}
