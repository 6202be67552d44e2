using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Actions;

/// <summary>An approved request acts exactly once: claimed, authorized again, keyed durably, swept when its job was lost.</summary>
public sealed class ExactlyOnceTests
{
    private readonly PipelineHarness _h = new();

    private async Task<Guid> ApprovedTerminateAsync()
    {
        var id = await _h.RequestTerminateAsync();
        Assert.Equal(ActionStatus.Decided, (await _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Channel.Web), id, null)).Status);
        return id;
    }

    [Fact]
    public async Task ApproveAsync_DecisionSavedThenAuditThrows_SweeperExecutesOnce()
    {
        var id = await _h.RequestTerminateAsync();
        _h.Scheduler.Lose = true;
        _h.Audit.FailWhen = e => e.Action == "approval.approve";

        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Channel.Web), id, null));
        Assert.Equal(ApprovalStatus.Approved, _h.Approvals.Get(id).Status);
        _h.Audit.FailWhen = null;
        _h.Scheduler.Lose = false;

        _h.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await _h.Pipeline.SweepApprovedAsync());
        _h.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await _h.Pipeline.SweepApprovedAsync());

        // The sweeper runs every minute and a job may be duplicated: every queued run after the first finds nothing to do.
        Assert.Equal(id, Assert.Single(_h.Scheduler.Enqueued));
        await _h.Pipeline.ExecuteApprovedAsync(id);
        Assert.Equal(0, await _h.Pipeline.SweepApprovedAsync());
        await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Single(_h.Compute.Calls);
        Assert.Equal(ApprovalStatus.Executed, _h.Approvals.Get(id).Status);
    }

    [Fact]
    public async Task ApproveAsync_AuditThrows_StillQueuesTheExecution()
    {
        var id = await _h.RequestTerminateAsync();
        _h.Audit.FailWhen = e => e.Action == "approval.approve";

        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Channel.Web), id, null));

        Assert.Equal(id, Assert.Single(_h.Scheduler.Enqueued));
    }

    [Fact]
    public async Task ExecuteApprovedAsync_TwoRunsAtOnce_CallComputeOnce()
    {
        var id = await ApprovedTerminateAsync();
        _h.Approvals.ReadGate = new AsyncGate(2);

        var results = await Task.WhenAll(_h.Pipeline.ExecuteApprovedAsync(id), _h.Pipeline.ExecuteApprovedAsync(id));

        Assert.Single(_h.Compute.Calls);
        Assert.Equal([ActionStatus.Executed, ActionStatus.Conflict], results.Select(r => r.Status).Order());
        Assert.Equal(ApprovalStatus.Executed, _h.Approvals.Get(id).Status);
        Assert.Single(_h.Audit.Events, e => e.Action == ActionKind.TerminateInstances.Name && e.Outcome == AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_RequesterDemotedBeforeApproval_IsRefusedAndAudited()
    {
        var id = await _h.RequestTerminateAsync();
        _h.Operator.ChangeRole(Role.Viewer, _h.Operator.Scopes);
        await _h.Users.UpdateAsync(_h.Operator);
        await _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Channel.Web), id, null);

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Empty(_h.Compute.Calls);
        var stored = _h.Approvals.Get(id);
        Assert.Equal(ApprovalStatus.Failed, stored.Status);
        Assert.StartsWith("Refused at execution: olga is Viewer", stored.Outcome, StringComparison.Ordinal);
        var denied = Assert.Single(_h.Audit.Events, e => e.Action == "approval.execute");
        Assert.Equal((AuditOutcome.Denied, _h.Operator.Id), (denied.Outcome, denied.ActorId));
        Assert.Equal(0, await _h.Pipeline.SweepApprovedAsync());
    }

    [Fact]
    public async Task ExecuteApprovedAsync_RequesterDisabledMeanwhile_IsRefused()
    {
        var id = await ApprovedTerminateAsync();
        _h.Operator.Disable();
        await _h.Users.UpdateAsync(_h.Operator);

        Assert.Equal(ActionStatus.Refused, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_TargetRetaggedOutOfTheRequestersScope_IsRefused()
    {
        var webOnly = Make.User("wendy", Role.Operator);
        webOnly.ChangeRole(Role.Operator, [new Scope("*", "*", "team", "web")]);
        await _h.Users.AddAsync(webOnly);
        var submitted = await _h.Pipeline.SubmitAsync(webOnly.AsActor(Channel.Web), PipelineHarness.Request(ActionKind.TerminateInstances, PipelineHarness.Web1));
        var id = submitted.ApprovalId!.Value;
        await _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Channel.Web), id, null);
        _h.Inventory.Replace(PipelineHarness.Web1 with { Tags = Make.Tags("env=prod", "team=payments") });

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("outside wendy's scope", result.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_KeyAlreadyStoredByAnEarlierRun_DoesNotCallComputeAgain()
    {
        var id = await ApprovedTerminateAsync();

        // An earlier run acted and stored its key, then its node died before the request recorded the outcome.
        var key = $"{ActionKind.TerminateInstances.Name}:{id:N}";
        await _h.Ledger.TryClaimAsync(key, ActionKind.TerminateInstances.Name, _h.Clock.GetUtcNow());
        await _h.Ledger.CompleteAsync(key, new ActionExecution(true, "Terminate accepted for 1 instance(s).", "req-earlier"), _h.Clock.GetUtcNow());

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Empty(_h.Compute.Calls);
        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Contains("Already carried out", result.Message, StringComparison.Ordinal);
        Assert.Equal("req-earlier", _h.Audit.Events.Single(e => e.Action == ActionKind.TerminateInstances.Name).AwsRequestId);
    }

    [Fact]
    public async Task SubmitAsync_SameCallerKeyTwice_CallsComputeOnce()
    {
        var request = PipelineHarness.Request(ActionKind.RebootInstances, PipelineHarness.Web1) with { IdempotencyKey = "reboot-web-1" };

        var first = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), request);
        var second = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Telegram), request);

        Assert.Single(_h.Compute.Calls);
        Assert.Equal((ActionStatus.Executed, ActionStatus.Executed), (first.Status, second.Status));
        Assert.True(_h.Ledger.Entries[$"{ActionKind.RebootInstances.Name}:reboot-web-1"].IsCompleted);
    }

    [Fact]
    public async Task SubmitAsync_CallerCancelsAfterTheCloudCall_StillWritesTheAuditRecord()
    {
        using var gone = new CancellationTokenSource();
        _h.Compute.AfterCall = gone.Cancel;

        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), PipelineHarness.Request(ActionKind.RebootInstances, PipelineHarness.Web1), gone.Token);

        Assert.Equal(ActionStatus.Executed, result.Status);
        var audited = Assert.Single(_h.Audit.Events, e => e.Action == ActionKind.RebootInstances.Name);
        Assert.Equal((AuditOutcome.Succeeded, "req-1"), (audited.Outcome, audited.AwsRequestId));
    }

    [Fact]
    public async Task ExecuteApprovedAsync_JobCancelledAfterTheCloudCall_StillRecordsAndAudits()
    {
        var id = await ApprovedTerminateAsync();
        using var stopping = new CancellationTokenSource();
        _h.Compute.AfterCall = stopping.Cancel;

        var result = await _h.Pipeline.ExecuteApprovedAsync(id, stopping.Token);

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Equal(ApprovalStatus.Executed, _h.Approvals.Get(id).Status);
        Assert.Single(_h.Audit.Events, e => e.Action == ActionKind.TerminateInstances.Name && e.Outcome == AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task ExpireDueAsync_MoreThanAThousandPending_ExpiresEveryOneOldestFirst()
    {
        var policy = ApprovalPolicy.Default;
        var requester = _h.Operator.AsActor(Channel.Web);
        var ids = new List<Guid>();
        for (var i = 0; i < 1200; i++)
        {
            // Made newest first, so store order and expiry order differ.
            var created = Make.Now.AddMinutes(-i);
            var request = new ApprovalRequest(Guid.NewGuid(), ActionKind.TerminateInstances, [Make.Target(PipelineHarness.Web1)], new Dictionary<string, string>(), requester, "Terminate", null, created, policy.Lifetime);
            await _h.Approvals.AddAsync(request);
            ids.Add(request.Id);
        }

        _h.Clock.Advance(policy.Lifetime + TimeSpan.FromMinutes(1));
        var fresh = await _h.RequestTerminateAsync();

        Assert.Equal(1200, await _h.Pipeline.ExpireDueAsync());

        Assert.All(ids, id => Assert.Equal(ApprovalStatus.Expired, _h.Approvals.Get(id).Status));
        Assert.Equal(ApprovalStatus.Pending, _h.Approvals.Get(fresh).Status);
        var order = _h.Audit.Events.Where(e => e.Action == "approval.expired").Select(e => Guid.Parse(e.Target["approval:".Length..])).ToList();
        Assert.Equal(Enumerable.Reverse(ids), order);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_LedgerDownBeforeTheCall_GoesBackToTheQueueAndRunsOnceWhenItIsBack()
    {
        var id = await ApprovedTerminateAsync();
        _h.Ledger.Throws = new InvalidOperationException("database is down");

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.Failed, result.Status);
        Assert.Contains("queued again", result.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Compute.Calls);
        Assert.Equal(ApprovalStatus.Approved, _h.Approvals.Get(id).Status);

        _h.Ledger.Throws = null;
        _h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await _h.Pipeline.SweepApprovedAsync());
        Assert.Equal(ActionStatus.Executed, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
        Assert.Single(_h.Compute.Calls);
        Assert.Equal(ApprovalStatus.Executed, _h.Approvals.Get(id).Status);
    }

    /// <summary>Claims the request as a run of the execution job would, then "stops" (the node is killed before it records anything).</summary>
    private async Task<(Guid Id, string Key)> ClaimedThenStoppedAsync()
    {
        var id = await ApprovedTerminateAsync();
        var request = _h.Approvals.Get(id);
        var version = request.Version;
        request.BeginExecution(_h.Clock.GetUtcNow());
        await _h.Approvals.UpdateAsync(request, version);
        return (id, $"{ActionKind.TerminateInstances.Name}:{id:N}");
    }

    [Fact]
    public async Task RecoverStrandedAsync_NodeStoppedAfterTheCloudAnswered_TheRequestTakesTheLedgersOutcome()
    {
        var (id, key) = await ClaimedThenStoppedAsync();
        await _h.Ledger.TryClaimAsync(key, ActionKind.TerminateInstances.Name, _h.Clock.GetUtcNow());
        await _h.Ledger.CompleteAsync(key, new ActionExecution(true, "Terminate accepted for 1 instance(s).", "req-before-the-kill"), _h.Clock.GetUtcNow());

        _h.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(0, await _h.Pipeline.RecoverStrandedAsync());
        Assert.Equal(ApprovalStatus.Executing, _h.Approvals.Get(id).Status);
        _h.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await _h.Pipeline.RecoverStrandedAsync());
        Assert.Equal(0, await _h.Pipeline.RecoverStrandedAsync());

        var request = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Executed, "Terminate accepted for 1 instance(s)."), (request.Status, request.Outcome));
        var audited = Assert.Single(_h.Audit.Events, e => e.Action == ActionKind.TerminateInstances.Name);
        Assert.Equal((AuditOutcome.Succeeded, "req-before-the-kill"), (audited.Outcome, audited.AwsRequestId));
        Assert.Contains(_h.Notifier.Sent, n => n.Title == "Approved action done" && n.Recipients.Contains(_h.Operator.Id));
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task RecoverStrandedAsync_ClaimWithoutHeartbeat_FailsSayingTheOutcomeIsUnknown_AndNothingActsAgain()
    {
        var (id, key) = await ClaimedThenStoppedAsync();
        await _h.Ledger.TryClaimAsync(key, ActionKind.TerminateInstances.Name, _h.Clock.GetUtcNow());
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await _h.Ledger.RenewAsync(key, _h.Clock.GetUtcNow());

        _h.Clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await _h.Pipeline.RecoverStrandedAsync());
        _h.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await _h.Pipeline.RecoverStrandedAsync());

        var request = _h.Approvals.Get(id);
        Assert.Equal(ApprovalStatus.Failed, request.Status);
        Assert.Contains("stopped (last seen", request.Outcome, StringComparison.Ordinal);
        Assert.Contains("check the targets", request.Outcome, StringComparison.Ordinal);
        Assert.True(_h.Ledger.Entries[key].IsCompleted);
        Assert.Single(_h.Audit.Events, e => e.Action == ActionKind.TerminateInstances.Name && e.Outcome == AuditOutcome.Failed);

        // The job Hangfire queues again after the kill finds nothing to do.
        Assert.Equal(ActionStatus.Conflict, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task RecoverStrandedAsync_NoClaimYet_GoesBackToTheQueue_AndTheNextRunCarriesItOutOnce()
    {
        var (id, _) = await ClaimedThenStoppedAsync();
        var queued = _h.Scheduler.Enqueued.Count;
        _h.Clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(1, await _h.Pipeline.RecoverStrandedAsync());
        Assert.Equal(0, await _h.Pipeline.RecoverStrandedAsync());

        var requeued = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Approved, (DateTimeOffset?)null), (requeued.Status, requeued.ExecutionStartedAt));
        Assert.Contains("stopped before calling AWS", requeued.Outcome, StringComparison.Ordinal);
        Assert.Equal(id, Assert.Single(_h.Scheduler.Enqueued.Skip(queued)));
        Assert.Single(_h.Audit.Events, e => e.Action == "approval.requeued");

        Assert.Equal(ActionStatus.Executed, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
        Assert.Equal(ActionStatus.Conflict, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
        Assert.Single(_h.Compute.Calls);
        Assert.Equal(ApprovalStatus.Executed, _h.Approvals.Get(id).Status);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_LongAction_BeatsWhileItRuns_SoTheSweeperLeavesItAlone()
    {
        var slow = new SlowExecutor();
        var h = new PipelineHarness(executors: [slow]);
        var id = await h.RequestTerminateAsync();
        await h.Pipeline.ApproveAsync(h.Bob.AsActor(Channel.Web), id, null);
        var key = $"{ActionKind.TerminateInstances.Name}:{id:N}";

        var running = h.Pipeline.ExecuteApprovedAsync(id);
        await slow.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var beat = 1; beat <= 15; beat++)
        {
            h.Clock.Advance(ActionPipeline.HeartbeatEvery);
            var expected = h.Clock.GetUtcNow();
            for (var i = 0; i < 500 && h.Ledger.Entries[key].AliveAt != expected; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(expected, h.Ledger.Entries[key].AliveAt);
        }

        Assert.Equal(0, await h.Pipeline.RecoverStrandedAsync());
        Assert.Equal(ApprovalStatus.Executing, h.Approvals.Get(id).Status);

        slow.Release.SetResult();
        Assert.Equal(ActionStatus.Executed, (await running.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        var renewals = h.Ledger.Renewals;
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(50);
        Assert.Equal(renewals, h.Ledger.Renewals);
        Assert.Equal(ApprovalStatus.Executed, h.Approvals.Get(id).Status);
    }

    /// <summary>An action that runs until released (a drain waiting out its delay).</summary>
    private sealed class SlowExecutor : IActionExecutor
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CanExecute(ActionKind kind) => true;

        public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
        {
            Entered.SetResult();
            await Release.Task;
            return new ActionExecution(true, "Done after a long wait.", "req-slow");
        }
    }
}
