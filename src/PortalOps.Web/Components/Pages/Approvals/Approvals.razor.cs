using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Approvals;

/// <summary>Pending requests with Approve and Deny, and the history of decided ones. The pipeline takes every decision; this page only asks.</summary>
public sealed partial class Approvals : IDisposable
{
    private PendingApprovals? _pending;
    private ApprovalHistory? _history;
    private LiveRefresh? _live;
    private IDisposable? _subscription;
    private Decision? _decision;
    private Guid? _userId;
    private bool _canDecide;
    private bool _busy;

    [Inject]
    public required ActionPipeline Pipeline { get; init; }


    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    /// <summary>How often the lists are read again, so decisions taken elsewhere (another browser, Telegram, expiry) show without a reload.</summary>
    [Parameter]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    protected override async Task OnInitializedAsync()
    {
        var user = await Current.UserAsync();
        _userId = user?.Id;
        _canDecide = user is { IsDisabled: false, Role: >= Role.Approver };
        _live = new LiveRefresh(() => InvokeAsync(RefreshAsync), TimeSpan.FromMilliseconds(300), RefreshInterval);

        // A request made or decided anywhere (this node, another node, Telegram, the expiry job) shows within a moment.
        _subscription = Services.GetService<IApprovalEvents>()?.Subscribe(() => _live?.Poke());
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }

    internal async Task RefreshAsync()
    {
        if (_pending is not null)
        {
            await _pending.ReloadAsync();
        }

        if (_history is not null)
        {
            await _history.ReloadAsync();
        }
    }

    private void StartDecision(Decision decision) => _decision = decision;

    private void CancelDecision() => _decision = null;

    private async Task DecideAsync(string? reason)
    {
        if (_decision is not { } decision)
        {
            return;
        }

        _busy = true;
        try
        {
            var actor = await Current.ActorAsync();
            var id = decision.Request.Id;
            var result = decision.Approve
                ? await Pipeline.ApproveAsync(actor, id, reason)
                : await Pipeline.DenyAsync(actor, id, reason);

            Snackbar.Add(result.Message, result.Status == ActionStatus.Decided ? Severity.Success : Severity.Warning);
            _decision = null;
        }
        catch (DomainException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        finally
        {
            _busy = false;
        }

        await RefreshAsync();
    }
}

/// <summary>The request a person is about to approve or deny.</summary>
public sealed record Decision(ApprovalRequest Request, bool Approve);
