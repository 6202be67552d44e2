using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Actions;

public class ActionPipelineTests
{
    private readonly PipelineHarness _h = new();

    private Actor As(PortalUser user, Channel channel = Channel.Web) => user.AsActor(channel);

    // ---- Submit: authorization and immediate execution ----

    [Fact]
    public async Task SubmitAsync_Viewer_IsRefusedAuditedAsDeniedAndComputeIsNotCalled()
    {
        var result = await _h.SubmitAsync(_h.Viewer, ActionKind.StopInstances, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.False(result.IsSuccess);
        Assert.Equal("vera is Viewer; Stop needs Operator or higher.", result.Message);
        Assert.Empty(_h.Compute.Calls);
        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal(("vera", _h.Viewer.Id, "instances.stop", AuditOutcome.Denied), (audited.ActorName, audited.ActorId, audited.Action, audited.Outcome));
        Assert.Equal(result.Message, audited.Detail);
        Assert.Equal(PipelineHarness.Web1.Ref.ToString(), audited.Target);
    }

    [Fact]
    public async Task SubmitAsync_OperatorStop_RunsAtOnceWithAnIdempotencyKeyAndAuditsTheRequestId()
    {
        var result = await _h.Pipeline.SubmitAsync(As(_h.Operator, Channel.Telegram), PipelineHarness.Request(ActionKind.StopInstances, PipelineHarness.Web1, PipelineHarness.Web2));

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Equal("Stop accepted for 2 instance(s).", result.Message);
        Assert.Null(result.ApprovalId);
        var call = Assert.Single(_h.Compute.Calls);
        Assert.Equal(InstanceAction.Stop, call.Action);
        Assert.Equal([PipelineHarness.Web1.Ref, PipelineHarness.Web2.Ref], call.Targets);
        Assert.Matches("^[0-9a-f]{32}$", call.IdempotencyKey);
        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal(AuditOutcome.Succeeded, audited.Outcome);
        Assert.Equal(Channel.Telegram, audited.Channel);
        Assert.Equal("req-1", audited.AwsRequestId);
        Assert.Contains("\"reason\":\"maintenance\"", audited.Parameters, StringComparison.Ordinal);
        Assert.Empty(await _h.Approvals.ListAsync(null, 10));
    }

    [Fact]
    public async Task SubmitAsync_TwoSeparateStops_UseDifferentIdempotencyKeys()
    {
        await _h.SubmitAsync(_h.Operator, ActionKind.StopInstances, PipelineHarness.Web1);
        await _h.SubmitAsync(_h.Operator, ActionKind.StopInstances, PipelineHarness.Web1);

        Assert.Equal(2, _h.Compute.Calls.Select(c => c.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task SubmitAsync_SameTargetTwiceInOneRequest_ActsOnItOnce()
    {
        var result = await _h.SubmitAsync(_h.Operator, ActionKind.RebootInstances, PipelineHarness.Web1, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Equal([PipelineHarness.Web1.Ref], Assert.Single(_h.Compute.Calls).Targets);
    }

    [Fact]
    public async Task SubmitAsync_TargetOutsideTheOperatorsScope_IsRefusedAndAudited()
    {
        var result = await _h.SubmitAsync(_h.Operator, ActionKind.StopInstances, PipelineHarness.Web1, PipelineHarness.DevDb);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("i-0devdb", result.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Compute.Calls);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_h.Audit.Events).Outcome);
    }

    [Fact]
    public async Task SubmitAsync_UnknownInstance_IsNotFoundAuditedAndNothingRuns()
    {
        var ghost = new InstanceRef(Make.ProdAccount, "eu-west-1", "i-0ghost");

        var result = await _h.Pipeline.SubmitAsync(As(_h.Dave), new ActionRequest(ActionKind.StopInstances, [PipelineHarness.Web1.Ref, ghost]));

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Equal($"Instance i-0ghost was not found in {Make.ProdAccount}/eu-west-1.", result.Message);
        Assert.Empty(_h.Compute.Calls);
        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal(AuditOutcome.Denied, audited.Outcome);
        Assert.Equal(result.Message, audited.Detail);
    }

    [Fact]
    public async Task SubmitAsync_KnownIdInTheWrongRegion_IsNotFound()
    {
        var misplaced = PipelineHarness.Web1.Ref with { Region = "us-east-1" };

        var result = await _h.Pipeline.SubmitAsync(As(_h.Dave), new ActionRequest(ActionKind.StopInstances, [misplaced]));

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task SubmitAsync_NoTargets_IsRefusedAndAudited()
    {
        var result = await _h.Pipeline.SubmitAsync(As(_h.Dave), new ActionRequest(ActionKind.StopInstances, []));

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal("Select at least one instance.", result.Message);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_h.Audit.Events).Outcome);
    }

    [Fact]
    public async Task SubmitAsync_MoreThanTheMaximumTargets_IsRefusedBeforeAnyLookup()
    {
        var targets = Enumerable.Range(0, ActionPipeline.MaxTargets + 1).Select(n => new InstanceRef(Make.ProdAccount, "eu-west-1", $"i-{n}")).ToList();

        var result = await _h.Pipeline.SubmitAsync(As(_h.Dave), new ActionRequest(ActionKind.StopInstances, targets));

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains(ActionPipeline.MaxTargets.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Message, StringComparison.Ordinal);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_h.Audit.Events).Outcome);
    }

    [Fact]
    public async Task SubmitAsync_ComputeThrows_IsFailedWithTheMessageAndAudited()
    {
        _h.Compute.Throws = new InvalidOperationException("RequestLimitExceeded");

        var result = await _h.SubmitAsync(_h.Operator, ActionKind.StopInstances, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.Failed, result.Status);
        Assert.Equal("Stop failed: RequestLimitExceeded", result.Message);
        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal(AuditOutcome.Failed, audited.Outcome);
        Assert.Equal(result.Message, audited.Detail);
    }

    [Fact]
    public async Task SubmitAsync_SomeTargetsFail_IsPartlySucceededNamingThem()
    {
        _h.Compute.Failing.Add("i-0web2");

        var result = await _h.SubmitAsync(_h.Operator, ActionKind.StartInstances, PipelineHarness.Web1, PipelineHarness.Web2);

        Assert.Equal(ActionStatus.PartlySucceeded, result.Status);
        Assert.False(result.IsSuccess);
        Assert.Equal("Start accepted for 1 of 2 instance(s); failed for 1: i-0web2: IncorrectInstanceState", result.Message);
        Assert.Equal(AuditOutcome.Failed, Assert.Single(_h.Audit.Events).Outcome);
    }

    [Fact]
    public async Task SubmitAsync_EveryTargetFails_IsFailedNamingThem()
    {
        _h.Compute.Failing.Add("i-0web1");
        _h.Compute.Failing.Add("i-0web2");

        var result = await _h.SubmitAsync(_h.Operator, ActionKind.StartInstances, PipelineHarness.Web1, PipelineHarness.Web2);

        Assert.Equal(ActionStatus.Failed, result.Status);
        Assert.StartsWith("Start failed for 2 of 2: i-0web1: IncorrectInstanceState", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_NoExecutorForTheKind_IsFailed()
    {
        var h = new PipelineHarness(executors: []);

        var result = await h.SubmitAsync(h.Operator, ActionKind.StopInstances, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.Failed, result.Status);
        Assert.Equal("No executor is registered for instances.stop.", result.Message);
        Assert.Equal(AuditOutcome.Failed, Assert.Single(h.Audit.Events).Outcome);
    }

    // ---- Submit: approval needed ----

    [Fact]
    public async Task SubmitAsync_OperatorTerminate_CreatesPendingApprovalAndNotifiesApproversInScopeOnly()
    {
        var result = await _h.SubmitAsync(_h.Operator, ActionKind.TerminateInstances, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.True(result.IsSuccess);
        Assert.NotNull(result.ApprovalId);
        Assert.Empty(_h.Compute.Calls);
        Assert.Empty(_h.Scheduler.Enqueued);

        var stored = _h.Approvals.Get(result.ApprovalId.Value);
        Assert.Equal(ApprovalStatus.Pending, stored.Status);
        Assert.Equal(_h.Operator.Id, stored.RequestedBy);
        Assert.Equal("Terminate needs approval", stored.Rule);
        Assert.Equal(Make.Now + ApprovalPolicy.Default.Lifetime, stored.ExpiresAt);
        Assert.Equal(["env", "team"], stored.Targets.Single().Tags.Keys.Order());

        var notice = Assert.Single(_h.Notifier.Sent);
        Assert.Equal(NotificationKind.ApprovalRequested, notice.Kind);
        Assert.Equal(result.ApprovalId, notice.ApprovalId);
        Assert.Equal(new[] { _h.Alice.Id, _h.Bob.Id, _h.Dave.Id }.Order(), notice.Recipients.Order());

        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal(("approval.requested", AuditOutcome.Pending), (audited.Action, audited.Outcome));
        Assert.Equal($"approval:{result.ApprovalId}", audited.Target);
    }

    [Fact]
    public async Task SubmitAsync_ApproverAsksForTerminate_IsNotNotifiedOfTheirOwnRequest()
    {
        var result = await _h.SubmitAsync(_h.Alice, ActionKind.TerminateInstances, PipelineHarness.Web1);

        var notice = Assert.Single(_h.Notifier.Sent);
        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.DoesNotContain(_h.Alice.Id, notice.Recipients);
        Assert.Equal(new[] { _h.Bob.Id, _h.Dave.Id }.Order(), notice.Recipients.Order());
    }

    [Fact]
    public async Task SubmitAsync_StopOfFive_RunsAtOnce()
    {
        var result = await _h.SubmitAsync(_h.Operator, ActionKind.StopInstances, [.. PipelineHarness.Bulk.Take(5)]);

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Equal(5, Assert.Single(_h.Compute.Calls).Targets.Count);
    }

    [Fact]
    public async Task SubmitAsync_StopOfSix_WaitsForApproval()
    {
        var result = await _h.SubmitAsync(_h.Operator, ActionKind.StopInstances, [.. PipelineHarness.Bulk.Take(6)]);

        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.Contains("Bulk actions over 5", result.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task SubmitAsync_RefusedRequest_CreatesNoApproval()
    {
        await _h.SubmitAsync(_h.Operator, ActionKind.TerminateInstances, PipelineHarness.DevDb);

        Assert.Empty(await _h.Approvals.ListAsync(null, 10));
        Assert.Empty(_h.Notifier.Sent);
    }

    // ---- Decisions and execution ----

    [Fact]
    public async Task ApproveAsync_ThenExecuteApproved_RunsComputeWithTheApprovalIdAsKeyAndAudits()
    {
        var id = await _h.RequestTerminateAsync();

        var approved = await _h.Pipeline.ApproveAsync(As(_h.Alice, Channel.Telegram), id, "ok");

        Assert.Equal(ActionStatus.Decided, approved.Status);
        Assert.Equal("Approved. Terminate of 1 instance(s) is running.", approved.Message);
        Assert.Equal([id], _h.Scheduler.Enqueued);
        Assert.Empty(_h.Compute.Calls);
        var decided = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Approved, _h.Alice.Id, Channel.Telegram, 1), (decided.Status, decided.DecidedBy, decided.DecidedVia, decided.Version));
        var decision = _h.Audit.Events[^1];
        Assert.Equal(("approval.approve", AuditOutcome.Succeeded, "alice"), (decision.Action, decision.Outcome, decision.ActorName));
        var told = _h.Notifier.Sent.Last();
        Assert.Equal((NotificationKind.ApprovalDecided, _h.Operator.Id), (told.Kind, told.Recipients.Single()));

        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var executed = await _h.Pipeline.ExecuteApprovedAsync(_h.Scheduler.Enqueued.Single());

        Assert.Equal(ActionStatus.Executed, executed.Status);
        Assert.Equal(id, executed.ApprovalId);
        var call = Assert.Single(_h.Compute.Calls);
        Assert.Equal((InstanceAction.Terminate, id.ToString("N")), (call.Action, call.IdempotencyKey));
        Assert.Equal([PipelineHarness.Web1.Ref], call.Targets);
        var done = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Executed, "Terminate accepted for 1 instance(s).", Make.Now.AddMinutes(1), 3), (done.Status, done.Outcome, done.CompletedAt, done.Version));
        var audited = _h.Audit.Events[^1];
        Assert.Equal(("instances.terminate", AuditOutcome.Succeeded, Channel.Job), (audited.Action, audited.Outcome, audited.Channel));
        Assert.Equal("olga (approved by alice)", audited.ActorName);
        Assert.Equal("req-1", audited.AwsRequestId);
        Assert.Contains(id.ToString(), audited.Parameters, StringComparison.Ordinal);
        Assert.Equal(NotificationKind.ActionCompleted, _h.Notifier.Sent.Last().Kind);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_RunTwice_CallsComputeOnce()
    {
        var id = await _h.RequestTerminateAsync();
        await _h.Pipeline.ApproveAsync(As(_h.Bob), id, null);

        var first = await _h.Pipeline.ExecuteApprovedAsync(id);
        var second = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.Executed, first.Status);
        Assert.Equal(ActionStatus.Conflict, second.Status);
        Assert.Single(_h.Compute.Calls);
        Assert.Equal(ApprovalStatus.Executed, _h.Approvals.Get(id).Status);
        Assert.Single(_h.Audit.Events, e => e.Action == "instances.terminate");
    }

    [Fact]
    public async Task ExecuteApprovedAsync_StillPending_DoesNothing()
    {
        var id = await _h.RequestTerminateAsync();

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.Conflict, result.Status);
        Assert.Empty(_h.Compute.Calls);
        Assert.Equal(ApprovalStatus.Pending, _h.Approvals.Get(id).Status);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_UnknownId_IsNotFoundAndRunsNothing()
    {
        var result = await _h.Pipeline.ExecuteApprovedAsync(Guid.NewGuid());

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_OneOfTwoTargetsFails_IsReportedAsPartlyDone()
    {
        var asked = await _h.SubmitAsync(_h.Operator, ActionKind.TerminateInstances, PipelineHarness.Web1, PipelineHarness.Web2);
        var id = asked.ApprovalId!.Value;
        await _h.Pipeline.ApproveAsync(As(_h.Alice), id, null);
        _h.Compute.Failing.Add("i-0web2");

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.PartlySucceeded, result.Status);
        Assert.Equal("Terminate accepted for 1 of 2 instance(s); failed for 1: i-0web2: IncorrectInstanceState", result.Message);
        Assert.Equal("Approved action partly done", _h.Notifier.Sent.Last().Title);
    }

    [Fact]
    public async Task ExecuteApprovedAsync_ComputeThrows_MarksFailedWithTheMessageAndAudits()
    {
        var id = await _h.RequestTerminateAsync();
        await _h.Pipeline.ApproveAsync(As(_h.Alice), id, null);
        _h.Compute.Throws = new InvalidOperationException("UnauthorizedOperation");

        var result = await _h.Pipeline.ExecuteApprovedAsync(id);

        Assert.Equal(ActionStatus.Failed, result.Status);
        Assert.Equal("Terminate failed: UnauthorizedOperation", result.Message);
        var stored = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Failed, result.Message), (stored.Status, stored.Outcome));
        var audited = _h.Audit.Events[^1];
        Assert.Equal(("instances.terminate", AuditOutcome.Failed, result.Message), (audited.Action, audited.Outcome, audited.Detail));
        var told = _h.Notifier.Sent.Last();
        Assert.Equal(("Approved action failed", _h.Operator.Id), (told.Title, told.Recipients.Single()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DecideAsync_ForgedApprovalId_IsNotFoundAndAudited(bool approve)
    {
        var forged = Guid.NewGuid();

        var result = approve
            ? await _h.Pipeline.ApproveAsync(As(_h.Alice), forged, null)
            : await _h.Pipeline.DenyAsync(As(_h.Alice), forged, "no");

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Empty(_h.Scheduler.Enqueued);
        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal((approve ? "approval.approve" : "approval.deny", $"approval:{forged}", AuditOutcome.Denied), (audited.Action, audited.Target, audited.Outcome));
    }

    [Fact]
    public async Task ApproveAsync_ByTheRequester_IsRefusedAndAudited()
    {
        var requested = await _h.SubmitAsync(_h.Alice, ActionKind.TerminateInstances, PipelineHarness.Web1);
        var id = requested.ApprovalId!.Value;

        var result = await _h.Pipeline.ApproveAsync(As(_h.Alice, Channel.Telegram), id, null);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal("Nobody approves their own request.", result.Message);
        AssertStillPendingAndDecisionDenied(id, "alice");
    }

    [Fact]
    public async Task ApproveAsync_ByAnOperator_IsRefusedAndAudited()
    {
        var requested = await _h.SubmitAsync(_h.Alice, ActionKind.TerminateInstances, PipelineHarness.Web1);
        var id = requested.ApprovalId!.Value;

        var result = await _h.Pipeline.ApproveAsync(As(_h.Operator), id, null);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("deciding needs Approver", result.Message, StringComparison.Ordinal);
        AssertStillPendingAndDecisionDenied(id, "olga");
    }

    [Fact]
    public async Task ApproveAsync_ByAnApproverOutsideTheScope_IsRefusedAndAudited()
    {
        var id = await _h.RequestTerminateAsync();

        var result = await _h.Pipeline.ApproveAsync(As(_h.Carol), id, null);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal("1 target(s) are outside carol's scope.", result.Message);
        AssertStillPendingAndDecisionDenied(id, "carol");
    }

    private void AssertStillPendingAndDecisionDenied(Guid id, string actor)
    {
        var stored = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Pending, 0), (stored.Status, stored.Version));
        Assert.Empty(_h.Scheduler.Enqueued);
        var audited = _h.Audit.Events[^1];
        Assert.Equal(("approval.approve", actor, AuditOutcome.Denied), (audited.Action, audited.ActorName, audited.Outcome));
    }

    [Fact]
    public async Task DenyAsync_WithReason_DeniesNotifiesAndSchedulesNothing()
    {
        var id = await _h.RequestTerminateAsync();

        var result = await _h.Pipeline.DenyAsync(As(_h.Bob), id, "not during the release");

        Assert.Equal("Denied.", result.Message);
        var stored = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Denied, "not during the release", 1), (stored.Status, stored.DecisionReason, stored.Version));
        Assert.Empty(_h.Scheduler.Enqueued);
        Assert.Empty(_h.Compute.Calls);
        var audited = _h.Audit.Events[^1];
        Assert.Equal(("approval.deny", AuditOutcome.Succeeded), (audited.Action, audited.Outcome));
        Assert.EndsWith("— not during the release", audited.Detail, StringComparison.Ordinal);
        Assert.Equal("Request denied", _h.Notifier.Sent.Last().Title);
        Assert.Equal(ActionStatus.Conflict, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
    }

    [Fact]
    public async Task DenyAsync_WithoutReason_IsRefusedAndLeavesTheRequestPending()
    {
        var id = await _h.RequestTerminateAsync();

        var result = await _h.Pipeline.DenyAsync(As(_h.Bob), id, "  ");

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal("A denial needs a reason.", result.Message);
        Assert.Equal((ApprovalStatus.Pending, 0), (_h.Approvals.Get(id).Status, _h.Approvals.Get(id).Version));
        Assert.Equal(AuditOutcome.Denied, _h.Audit.Events[^1].Outcome);
    }

    [Fact]
    public async Task ApproveAsync_SecondDecision_IsRefusedNamingTheFirstDecider()
    {
        var id = await _h.RequestTerminateAsync();
        await _h.Pipeline.ApproveAsync(As(_h.Alice), id, null);

        var second = await _h.Pipeline.DenyAsync(As(_h.Bob), id, "too late?");

        Assert.Equal(ActionStatus.Refused, second.Status);
        Assert.Equal("This request was already approved by alice.", second.Message);
        Assert.Equal([id], _h.Scheduler.Enqueued);
        Assert.Equal(ApprovalStatus.Approved, _h.Approvals.Get(id).Status);
    }

    // ---- Races ----

    private sealed record Attempt(PortalUser User, bool Approve, ActionResult Result);

    private static async Task<Attempt[]> RaceAsync(PipelineHarness h, Guid id, IReadOnlyList<PortalUser> deciders)
    {
        var start = new AsyncGate(deciders.Count);
        var attempts = deciders.Select((user, n) => Task.Run(async () =>
        {
            var approve = n % 2 == 0;
            var actor = user.AsActor(n % 3 == 0 ? Channel.Telegram : Channel.Web);
            await start.ArriveAndWaitAsync();
            var result = approve
                ? await h.Pipeline.ApproveAsync(actor, id, null)
                : await h.Pipeline.DenyAsync(actor, id, "not now");
            return new Attempt(user, approve, result);
        }));
        return await Task.WhenAll(attempts);
    }

    private static List<PortalUser> Deciders(int count) =>
        Enumerable.Range(1, count).Select(n => Make.User($"approver{n:D2}", n % 4 == 0 ? Role.Admin : Role.Approver, "*/*")).ToList();

    private static void AssertExactlyOneDecision(PipelineHarness h, Guid id, Attempt[] attempts)
    {
        var stored = h.Approvals.Get(id);
        Assert.Equal(1, stored.Version);
        var winner = Assert.Single(attempts, a => a.User.Id == stored.DecidedBy);
        Assert.Equal(ActionStatus.Decided, winner.Result.Status);
        Assert.Equal(winner.Approve ? ApprovalStatus.Approved : ApprovalStatus.Denied, stored.Status);
        if (winner.Approve)
        {
            Assert.Equal([id], h.Scheduler.Enqueued);
        }
        else
        {
            Assert.Equal("Denied.", winner.Result.Message);
            Assert.Empty(h.Scheduler.Enqueued);
        }

        foreach (var loser in attempts.Where(a => a != winner))
        {
            Assert.Contains(loser.Result.Status, new[] { ActionStatus.Conflict, ActionStatus.Refused });
            Assert.StartsWith("This request was already ", loser.Result.Message, StringComparison.Ordinal);
        }

        var decisions = h.Audit.Events.Where(e => e.Action is "approval.approve" or "approval.deny").ToList();
        Assert.Single(decisions, e => e.Outcome == AuditOutcome.Succeeded);
        Assert.Equal(attempts.Length - 1, decisions.Count(e => e.Outcome == AuditOutcome.Denied));
        Assert.Single(h.Notifier.Sent, n => n.Kind == NotificationKind.ApprovalDecided);
    }

    [Fact]
    public async Task DecideAsync_TwentyDecidersReadTheSameVersion_ExactlyOneWinsAndTheRestConflict()
    {
        var h = new PipelineHarness();
        var id = await h.RequestTerminateAsync();
        var deciders = Deciders(20);
        h.Approvals.ReadGate = new AsyncGate(deciders.Count);

        var attempts = await RaceAsync(h, id, deciders);

        AssertExactlyOneDecision(h, id, attempts);
        Assert.Equal(19, attempts.Count(a => a.Result.Status == ActionStatus.Conflict));
        Assert.Equal(19, h.Approvals.Conflicts);
    }

    [Fact]
    public async Task DecideAsync_TwentyDecidersRacingFreely_ExactlyOneWins()
    {
        for (var round = 0; round < 5; round++)
        {
            var h = new PipelineHarness();
            var id = await h.RequestTerminateAsync();

            var attempts = await RaceAsync(h, id, Deciders(20));

            AssertExactlyOneDecision(h, id, attempts);
        }
    }

    // ---- Expiry ----

    [Fact]
    public async Task ExpireDueAsync_BeforeTheLifetime_ExpiresNothing()
    {
        var id = await _h.RequestTerminateAsync();
        _h.Clock.Advance(ApprovalPolicy.Default.Lifetime - TimeSpan.FromSeconds(1));

        Assert.Equal(0, await _h.Pipeline.ExpireDueAsync());
        Assert.Equal(ApprovalStatus.Pending, _h.Approvals.Get(id).Status);
    }

    [Fact]
    public async Task ExpireDueAsync_PastTheLifetime_ExpiresAuditsAndTellsTheRequesterOnce()
    {
        var id = await _h.RequestTerminateAsync();
        var decided = await _h.SubmitAsync(_h.Operator, ActionKind.TerminateInstances, PipelineHarness.Web2);
        await _h.Pipeline.ApproveAsync(As(_h.Alice), decided.ApprovalId!.Value, null);
        _h.Clock.Advance(ApprovalPolicy.Default.Lifetime + TimeSpan.FromSeconds(1));

        var expired = await _h.Pipeline.ExpireDueAsync();
        var again = await _h.Pipeline.ExpireDueAsync();

        Assert.Equal((1, 0), (expired, again));
        var stored = _h.Approvals.Get(id);
        Assert.Equal((ApprovalStatus.Expired, 1, Make.Now + ApprovalPolicy.Default.Lifetime + TimeSpan.FromSeconds(1)), (stored.Status, stored.Version, stored.CompletedAt));
        Assert.Equal(ApprovalStatus.Approved, _h.Approvals.Get(decided.ApprovalId.Value).Status);
        var audited = Assert.Single(_h.Audit.Events, e => e.Action == "approval.expired");
        Assert.Equal(($"approval:{id}", AuditOutcome.Failed), (audited.Target, audited.Outcome));
        var told = Assert.Single(_h.Notifier.Sent, n => n.Title == "Approval request expired");
        Assert.Equal(_h.Operator.Id, told.Recipients.Single());
    }

    [Fact]
    public async Task ApproveAsync_AfterTheLifetime_IsRefusedAndRecordsTheExpiry()
    {
        var id = await _h.RequestTerminateAsync();
        _h.Clock.Advance(ApprovalPolicy.Default.Lifetime);

        var result = await _h.Pipeline.ApproveAsync(As(_h.Alice), id, null);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal("This request has expired.", result.Message);
        Assert.Equal(ApprovalStatus.Expired, _h.Approvals.Get(id).Status);
        Assert.Empty(_h.Scheduler.Enqueued);
        Assert.Single(_h.Audit.Events, e => e.Action == "approval.expired");
        Assert.Equal(("approval.approve", AuditOutcome.Denied), (_h.Audit.Events[^1].Action, _h.Audit.Events[^1].Outcome));
        Assert.Equal(ActionStatus.Conflict, (await _h.Pipeline.ExecuteApprovedAsync(id)).Status);
        Assert.Empty(_h.Compute.Calls);
    }

    [Fact]
    public async Task Audit_AfterAFullFlow_ChainVerifies()
    {
        var id = await _h.RequestTerminateAsync();
        await _h.Pipeline.ApproveAsync(As(_h.Alice), id, null);
        await _h.Pipeline.ExecuteApprovedAsync(id);

        var verification = await AuditChain.VerifyAsync(_h.Audit.ReadChainAsync());

        Assert.True(verification.Intact);
        Assert.Equal(3, verification.RecordsChecked);
    }
}
