using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>
/// Remediation from a page: for one finding's resource (<see cref="ResourceId"/>) or in bulk for a policy. The planner lists what
/// matches now within the person's scope (refused above max-resources); the request carries exactly those ids to the pipeline.
/// </summary>
public sealed partial class RemediationPanel
{
    private RemediationPlan? _plan;
    private ActionResult? _result;
    private string? _error;
    private bool _busy;
    private bool _mayAct;

    [Parameter, EditorRequired]
    public required string PolicyId { get; set; }

    /// <summary>Only this resource (a finding's); null: every resource that matches.</summary>
    [Parameter]
    public string? ResourceId { get; set; }

    [Inject]
    public required RemediationPlanner Planner { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync() => _mayAct = (await Current.ActorAsync()).IsAtLeast(ActionKind.Remediate.MinimumRole);

    private async Task PlanAsync()
    {
        (_busy, _error, _plan, _result) = (true, null, null, null);
        try
        {
            var actor = await Current.ActorAsync();
            _plan = await Planner.PlanAsync(PolicyId, Authorizer.ReadScopeOf(actor), ResourceId is null ? null : [ResourceId]);
        }
        catch (DomainException e)
        {
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RequestAsync()
    {
        if (_plan is null)
        {
            return;
        }

        _busy = true;
        try
        {
            _result = await Pipeline.SubmitAsync(await Current.ActorAsync(), _plan.Request);
            _plan = null;
        }
        catch (DomainException e)
        {
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
