using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Provisioning;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Instances.Templates;

/// <summary>Saved launch configurations: launch one in one click (after a blast-radius confirmation), edit it in the wizard, or delete it.</summary>
public sealed partial class LaunchTemplatesPage
{
    private IReadOnlyList<LaunchTemplate>? _templates;
    private ActionResult? _result;
    private bool _busy;

    [Inject]
    public required LaunchTemplates Templates { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required PortalOps.Domain.Accounts.ICloudProvider Cloud { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync() => _templates = await Templates.ListAsync();

    private async Task LaunchAsync(LaunchTemplate template)
    {
        var spec = template.Spec;
        var request = spec.ToActionRequest(Guid.NewGuid().ToString("N"), $"from template {template.Name}");
        var actor = await Current.ActorAsync();
        var preview = await Pipeline.PreviewAsync(actor, request);
        var note = !preview.Allowed ? $"You may not do this: {preview.Reason}"
            : preview.ApprovalRule is { } rule ? $"This needs approval by a second person before it runs ({rule})." : null;
        var answer = await ConfirmActionDialog.AskAsync(Dialogs, $"Launch from '{template.Name}'?",
            $"Launch {spec.Count} × {spec.InstanceType} in account {spec.AccountId}: {spec.Region} ({spec.AvailabilityZone}).", note, "Launch", danger: false, offerFinalSnapshot: false);
        if (answer is null)
        {
            return;
        }

        _busy = true;
        try
        {
            _result = await Pipeline.SubmitAsync(actor, request);
        }
        catch (DomainException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync(LaunchTemplate template)
    {
        var answer = await ConfirmActionDialog.AskAsync(Dialogs, $"Delete template '{template.Name}'?", "The template goes; instances launched from it stay.", null, "Delete", danger: true, offerFinalSnapshot: false);
        if (answer is null)
        {
            return;
        }

        await Templates.DeleteAsync(await Current.ActorAsync(), template.Id);
        _templates = await Templates.ListAsync();
        Snackbar.Add($"Template '{template.Name}' deleted.", Severity.Success);
    }
}
