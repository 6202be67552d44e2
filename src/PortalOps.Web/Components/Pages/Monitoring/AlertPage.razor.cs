using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>One alert: its instances and history; acknowledge, snooze, resolve; approve or deny its corrective actions.</summary>
public sealed partial class AlertPage : IDisposable
{
    private Alert? _alert;
    private bool _loaded;
    private bool _busy;
    private bool _canAnswer;
    private bool _canDecide;
    private IReadOnlyList<ApprovalRequest> _approvals = [];
    private IReadOnlyList<CorrectiveAction> _actions = [];
    private Decision? _decision;
    private IDisposable? _subscription;
    private LiveRefresh? _live;

    [Parameter]
    public Guid Id { get; set; }

    [Inject]
    public required IAlertStore Alerts { get; init; }

    [Inject]
    public required IAlertRuleStore Rules { get; init; }

    [Inject]
    public required IApprovalStore Approvals { get; init; }

    [Inject]
    public required AlertOperations Operations { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required IMonitoringEvents Events { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync()
    {
        var user = await Current.UserAsync();
        _canAnswer = user is { Role: >= Role.Operator };
        _canDecide = user is { Role: >= Role.Approver };
        _live = new LiveRefresh(() => InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); }), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(15));
        _subscription = Events.Subscribe(() => _live.Poke());
    }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        // An alert outside the person's scopes is "not found", like one that does not exist.
        var actor = await Current.ActorAsync();
        _alert = await Alerts.FindAsync(Id) is { } found && Authorizer.MaySee(actor, found) ? found : null;
        _loaded = true;
        if (_alert is null)
        {
            return;
        }

        _actions = (await Rules.FindAsync(_alert.RuleId))?.Actions ?? [];
        var approvals = new List<ApprovalRequest>();
        foreach (var id in _alert.ApprovalIds)
        {
            if (await Approvals.FindVisibleAsync(actor, id) is { } request)
            {
                approvals.Add(request);
            }
        }

        _approvals = approvals;
    }

    private Task AcknowledgeAsync() => RunAsync(actor => Operations.AcknowledgeAsync(actor, Id));

    private Task SnoozeAsync(int minutes) => RunAsync(actor => Operations.SnoozeAsync(actor, Id, TimeSpan.FromMinutes(minutes)));

    private Task ResolveAsync() => RunAsync(actor => Operations.ResolveAsync(actor, Id, "resolved on the alert page"));

    private Task RequestAsync(string kind) => RunAsync(actor => Operations.RequestActionAsync(actor, Id, kind));

    private void StartDecision(ApprovalRequest request, bool approve) => _decision = new Decision(request, approve);

    private Task DecideAsync(string? reason)
    {
        var decision = _decision!;
        return RunAsync(async actor =>
        {
            var result = decision.Approve
                ? await Pipeline.ApproveAsync(actor, decision.Request.Id, reason)
                : await Pipeline.DenyAsync(actor, decision.Request.Id, reason);
            _decision = null;
            return result;
        });
    }

    private async Task RunAsync(Func<Actor, Task<ActionResult>> operation)
    {
        _busy = true;
        try
        {
            var result = await operation(await Current.ActorAsync());
            Snackbar.Add(result.Message, result.IsSuccess ? MudBlazor.Severity.Success : MudBlazor.Severity.Error);
            await LoadAsync();
        }
        catch (DomainException ex)
        {
            Snackbar.Add(ex.Message, MudBlazor.Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }

    private sealed record Decision(ApprovalRequest Request, bool Approve);
}
