using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Approvals;

public class ApprovalRequestTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
    private readonly Actor _requester = Make.Actor("olga", Role.Operator, Scope.Everything);
    private readonly Actor _approver = Make.Actor("alice", Role.Approver, Scope.Everything) with { Channel = Channel.Telegram };
    private readonly Actor _otherApprover = Make.Actor("bob", Role.Approver, Scope.Everything);

    private ApprovalRequest NewRequest() =>
        new(Guid.NewGuid(), ActionKind.TerminateInstances, [Make.Target("i-0abc")], new Dictionary<string, string>(), _requester, "Terminate needs approval", "cleanup", Make.Now, Lifetime);

    private static DateTimeOffset Later(int minutes = 5) => Make.Now.AddMinutes(minutes);

    [Fact]
    public void New_Request_IsPendingAtVersionZeroAndExpiresAfterTheLifetime()
    {
        var request = NewRequest();

        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.True(request.IsOpen);
        Assert.Equal(0, request.Version);
        Assert.Equal(Make.Now + Lifetime, request.ExpiresAt);
        Assert.Equal(_requester.UserId, request.RequestedBy);
        Assert.Equal(ActionKind.TerminateInstances, request.Kind);
        Assert.Equal("Terminate 1 instance(s): i-0abc (i-0abc)", request.Summary);
    }

    [Fact]
    public void New_NoTargets_Throws()
    {
        var ex = Assert.Throws<DomainException>(() =>
            new ApprovalRequest(Guid.NewGuid(), ActionKind.StopInstances, [], new Dictionary<string, string>(), _requester, "r", null, Make.Now, Lifetime));

        Assert.Equal("An approval request needs at least one target.", ex.Message);
    }

    [Fact]
    public void Approve_Pending_BecomesApprovedAndRecordsTheDecider()
    {
        var request = NewRequest();

        request.Approve(_approver, "  looks fine  ", Later());

        Assert.Equal(ApprovalStatus.Approved, request.Status);
        Assert.False(request.IsOpen);
        Assert.Equal(_approver.UserId, request.DecidedBy);
        Assert.Equal("alice", request.DecidedByName);
        Assert.Equal(Channel.Telegram, request.DecidedVia);
        Assert.Equal(Later(), request.DecidedAt);
        Assert.Equal("looks fine", request.DecisionReason);
        Assert.Equal(1, request.Version);
    }

    [Fact]
    public void Approve_WithoutReason_IsAllowed()
    {
        var request = NewRequest();

        request.Approve(_approver, "   ", Later());

        Assert.Equal(ApprovalStatus.Approved, request.Status);
        Assert.Null(request.DecisionReason);
    }

    [Fact]
    public void MarkExecuted_Approved_BecomesExecutedWithOutcome()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());
        request.BeginExecution(Later(5));

        request.MarkExecuted("Terminate accepted for 1 instance(s).", Later(6));

        Assert.Equal(ApprovalStatus.Executed, request.Status);
        Assert.Equal("Terminate accepted for 1 instance(s).", request.Outcome);
        Assert.Equal(Later(6), request.CompletedAt);
        Assert.Equal(3, request.Version);
    }

    [Fact]
    public void MarkFailed_Approved_BecomesFailedWithOutcome()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());
        request.BeginExecution(Later(5));

        request.MarkFailed("Terminate failed: throttled", Later(6));

        Assert.Equal(ApprovalStatus.Failed, request.Status);
        Assert.Equal("Terminate failed: throttled", request.Outcome);
        Assert.Equal(3, request.Version);
    }

    [Fact]
    public void Deny_WithReason_BecomesDenied()
    {
        var request = NewRequest();

        request.Deny(_approver, " not during the release ", Later());

        Assert.Equal(ApprovalStatus.Denied, request.Status);
        Assert.Equal("not during the release", request.DecisionReason);
        Assert.Equal(_approver.UserId, request.DecidedBy);
        Assert.Equal(1, request.Version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Deny_WithoutReason_IsRefusedAndChangesNothing(string? reason)
    {
        var request = NewRequest();

        var ex = Assert.Throws<DomainException>(() => request.Deny(_approver, reason, Later()));

        Assert.Equal("A denial needs a reason.", ex.Message);
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Null(request.DecidedBy);
        Assert.Equal(0, request.Version);
    }

    [Fact]
    public void Expire_BeforeExpiresAt_IsRefused()
    {
        var request = NewRequest();

        Assert.False(request.IsExpiredAt(request.ExpiresAt.AddTicks(-1)));
        Assert.Throws<DomainException>(() => request.Expire(request.ExpiresAt.AddTicks(-1)));
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Equal(0, request.Version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(60 * 24 * 7)]
    public void Expire_AtOrPastExpiresAt_BecomesExpired(int minutesPast)
    {
        var request = NewRequest();
        var at = request.ExpiresAt.AddMinutes(minutesPast);

        request.Expire(at);

        Assert.Equal(ApprovalStatus.Expired, request.Status);
        Assert.Equal(at, request.CompletedAt);
        Assert.Equal("Expired without a decision.", request.Outcome);
        Assert.Null(request.DecidedBy);
        Assert.Equal(1, request.Version);
    }

    [Fact]
    public void Expire_AlreadyDecided_IsRefusedEvenPastExpiresAt()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());

        Assert.False(request.IsExpiredAt(request.ExpiresAt.AddDays(1)));
        Assert.Throws<DomainException>(() => request.Expire(request.ExpiresAt.AddDays(1)));
        Assert.Equal(ApprovalStatus.Approved, request.Status);
        Assert.Equal(1, request.Version);
    }

    [Fact]
    public void Approve_Twice_IsRefusedAndKeepsTheFirstDecision()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());

        var ex = Assert.Throws<DomainException>(() => request.Approve(_otherApprover, null, Later(7)));

        Assert.Equal("This request was already approved by alice.", ex.Message);
        Assert.Equal(_approver.UserId, request.DecidedBy);
        Assert.Equal(Later(), request.DecidedAt);
        Assert.Equal(1, request.Version);
    }

    [Fact]
    public void Deny_AfterApprove_IsRefused()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());

        var ex = Assert.Throws<DomainException>(() => request.Deny(_otherApprover, "changed my mind", Later(7)));

        Assert.Contains("already approved", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Approved, request.Status);
    }

    [Fact]
    public void Approve_AfterDeny_IsRefused()
    {
        var request = NewRequest();
        request.Deny(_approver, "no", Later());

        var ex = Assert.Throws<DomainException>(() => request.Approve(_otherApprover, null, Later(7)));

        Assert.Equal("This request was already denied by alice.", ex.Message);
        Assert.Equal(ApprovalStatus.Denied, request.Status);
    }

    [Fact]
    public void Approve_AfterExpiresAtButNotYetExpired_IsRefused()
    {
        var request = NewRequest();

        var ex = Assert.Throws<DomainException>(() => request.Approve(_approver, null, request.ExpiresAt));

        Assert.Equal("This request has expired.", ex.Message);
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Equal(0, request.Version);
    }

    [Fact]
    public void Approve_AfterExpired_IsRefused()
    {
        var request = NewRequest();
        request.Expire(request.ExpiresAt);

        var ex = Assert.Throws<DomainException>(() => request.Approve(_approver, null, request.ExpiresAt.AddMinutes(1)));

        Assert.Equal("This request was already expired.", ex.Message);
        Assert.Equal(ApprovalStatus.Expired, request.Status);
    }

    [Fact]
    public void Approve_ByTheRequester_IsRefused()
    {
        var request = NewRequest();
        var sameUserOtherChannel = _requester with { Role = Role.Admin, Channel = Channel.Telegram };

        var ex = Assert.Throws<DomainException>(() => request.Approve(sameUserOtherChannel, null, Later()));

        Assert.Equal("Nobody approves their own request.", ex.Message);
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Equal(0, request.Version);
    }

    [Fact]
    public void Deny_ByTheRequester_IsRefused()
    {
        var request = NewRequest();

        Assert.Throws<DomainException>(() => request.Deny(_requester, "withdrawn", Later()));
        Assert.Equal(ApprovalStatus.Pending, request.Status);
    }

    [Fact]
    public void BeginExecution_Approved_BecomesExecutingOnce()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());

        request.BeginExecution(Later(5));

        Assert.Equal((ApprovalStatus.Executing, 2), (request.Status, request.Version));
        var ex = Assert.Throws<DomainException>(() => request.BeginExecution(Later(6)));
        Assert.Equal("Only an approved request can be carried out; this one is Executing.", ex.Message);
    }

    [Fact]
    public void MarkExecuted_Pending_IsRefused()
    {
        var request = NewRequest();

        var ex = Assert.Throws<DomainException>(() => request.MarkExecuted("done", Later()));

        Assert.Equal("Only a request being carried out can be completed; this one is Pending.", ex.Message);
        Assert.Equal(0, request.Version);
    }

    [Fact]
    public void MarkFailed_Denied_IsRefused()
    {
        var request = NewRequest();
        request.Deny(_approver, "no", Later());

        Assert.Throws<DomainException>(() => request.MarkFailed("boom", Later(6)));
        Assert.Equal(ApprovalStatus.Denied, request.Status);
    }

    [Fact]
    public void MarkExecuted_Twice_IsRefused()
    {
        var request = NewRequest();
        request.Approve(_approver, null, Later());
        request.BeginExecution(Later(5));
        request.MarkExecuted("done", Later(6));

        Assert.Throws<DomainException>(() => request.MarkExecuted("again", Later(7)));
        Assert.Throws<DomainException>(() => request.MarkFailed("again", Later(7)));
        Assert.Throws<DomainException>(() => request.BeginExecution(Later(7)));
        Assert.Equal("done", request.Outcome);
        Assert.Equal(3, request.Version);
    }

    [Fact]
    public void Version_EveryChange_IncrementsByOneAndRefusalsLeaveItAlone()
    {
        var request = NewRequest();
        var versions = new List<int> { request.Version };

        request.Approve(_approver, null, Later());
        versions.Add(request.Version);
        Assert.Throws<DomainException>(() => request.Approve(_otherApprover, null, Later()));
        versions.Add(request.Version);
        request.BeginExecution(Later(5));
        versions.Add(request.Version);
        request.MarkExecuted("done", Later(6));
        versions.Add(request.Version);

        Assert.Equal([0, 1, 1, 2, 3], versions);
    }

    [Fact]
    public void FromStore_RoundTrip_KeepsStateAndVersion()
    {
        var original = NewRequest();
        original.Approve(_approver, "ok", Later());

        var copy = ApprovalRequest.FromStore(
            original.Id, original.KindName, original.Targets, original.Parameters, original.RequestedBy, original.RequestedByName, original.RequestedVia,
            original.Rule, original.Reason, original.CreatedAt, original.ExpiresAt, original.Status, original.DecidedBy, original.DecidedByName,
            original.DecidedVia, original.DecidedAt, original.DecisionReason, original.CompletedAt, original.Outcome, original.Version);
        copy.BeginExecution(Later(5));
        copy.MarkExecuted("done", Later(6));

        Assert.Equal(ApprovalStatus.Executed, copy.Status);
        Assert.Equal(3, copy.Version);
        Assert.Equal(ApprovalStatus.Approved, original.Status);
    }
}
