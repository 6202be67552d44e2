using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.LoadBalancing;

/// <summary>One target group: its targets' health, and register/deregister through the pipeline (bad instance ids are named at the field; nothing is sent).</summary>
public sealed partial class TargetGroupCard
{
    private string? _register;
    private string? _registerError;
    private string? _outcome;
    private Severity _outcomeSeverity = Severity.Info;
    private bool _busy;

    [Parameter, EditorRequired]
    public required TargetGroup Group { get; set; }

    [Parameter]
    public bool MayAct { get; set; }

    [Parameter]
    public EventCallback Changed { get; set; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    private static Color ColorOf(TargetHealthState state) => state switch
    {
        TargetHealthState.Healthy => Color.Success,
        TargetHealthState.Unhealthy => Color.Error,
        TargetHealthState.Draining => Color.Warning,
        _ => Color.Default,
    };

    private Task RegisterAsync()
    {
        var (targets, errors) = TargetRef.ParseList(_register);
        _registerError = errors.Count > 0 ? string.Join(" ", errors) : targets.Count == 0 ? "Name at least one instance id." : null;
        return _registerError is null ? SubmitAsync(ActionKind.RegisterTargets, string.Join(",", targets)) : Task.CompletedTask;
    }

    private async Task SubmitAsync(ActionKind kind, string targets)
    {
        _busy = true;
        try
        {
            var actor = await Current.ActorAsync();
            var request = new ActionRequest(kind, [new InstanceRef(Group.Scope.AccountId, Group.Scope.Region, Group.Arn)])
            {
                Parameters = new Dictionary<string, string> { [TargetRegistrationExecutor.TargetsParameter] = targets },
            };
            var result = await Pipeline.SubmitAsync(actor, request);
            _outcome = result.Message;
            _outcomeSeverity = result.Status switch
            {
                ActionStatus.Executed => Severity.Success,
                ActionStatus.PendingApproval => Severity.Info,
                ActionStatus.PartlySucceeded => Severity.Warning,
                _ => Severity.Error,
            };
            Snackbar.Add(result.Message, _outcomeSeverity);
            if (result.Status == ActionStatus.Executed && kind == ActionKind.RegisterTargets)
            {
                _register = null;
            }

            await Changed.InvokeAsync();
        }
        catch (DomainException ex)
        {
            _outcome = ex.Message;
            _outcomeSeverity = Severity.Error;
        }
        finally
        {
            _busy = false;
        }
    }
}
