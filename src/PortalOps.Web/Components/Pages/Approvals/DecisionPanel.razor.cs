using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Approvals;

namespace PortalOps.Web.Components.Pages.Approvals;

/// <summary>Asks for the reason of a decision: optional to approve, required to deny.</summary>
public sealed partial class DecisionPanel
{
    public const string ReasonRequired = "A denial needs a reason: say why, so the requester knows what to change.";

    private string? _reason;
    private string? _error;

    [Parameter, EditorRequired]
    public required ApprovalRequest Request { get; set; }

    [Parameter]
    public bool Approve { get; set; }

    [Parameter]
    public bool Busy { get; set; }

    [Parameter]
    public EventCallback<string?> OnConfirm { get; set; }

    [Parameter]
    public EventCallback OnCancel { get; set; }

    private async Task ConfirmAsync()
    {
        var reason = string.IsNullOrWhiteSpace(_reason) ? null : _reason.Trim();
        if (!Approve && reason is null)
        {
            _error = ReasonRequired;
            return;
        }

        _error = null;
        await OnConfirm.InvokeAsync(reason);
    }
}
