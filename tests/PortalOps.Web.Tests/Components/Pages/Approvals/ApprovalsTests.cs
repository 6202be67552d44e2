using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Approvals;
using PortalOps.Web.Tests.Fakes;
using ApprovalsPage = PortalOps.Web.Components.Pages.Approvals.Approvals;

namespace PortalOps.Web.Tests.Components.Pages.Approvals;

public sealed class ApprovalsTests : PortalTestContext
{
    private readonly Instance[] _fleet = TestData.Fleet(3);

    public ApprovalsTests() => Inventory.Add(_fleet);

    [Fact]
    public async Task Approve_Approver_PipelineApprovesAndTheRowLeavesThePendingList()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        SignIn("alice", Role.Approver);
        var page = RenderPage<ApprovalsPage>();
        page.WaitForElement($"[data-testid=approve-{id}]").Click();

        page.Find("[data-testid=decision-reason]").Input("planned decommission");
        page.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=approve-{id}]")));
        var stored = Approvals.Get(id)!;
        Assert.Equal(ApprovalStatus.Approved, stored.Status);
        Assert.Equal("alice", stored.DecidedByName);
        Assert.Equal("planned decommission", stored.DecisionReason);
        Assert.Equal([id], Scheduler.Enqueued);
        Assert.Contains(SnackbarMessages, m => m.StartsWith("Approved.", StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.Equal("alice (Web)", page.Find($"[data-testid=history-decider-{id}]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=decision-panel]"));
    }

    [Fact]
    public async Task Deny_WithoutReason_ShowsTheFieldMessageAndChangesNothing()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        SignIn("alice", Role.Approver);
        var page = RenderPage<ApprovalsPage>();
        page.WaitForElement($"[data-testid=deny-{id}]").Click();
        var auditBefore = AuditLog.Records.Count;

        page.Find("[data-testid=decision-reason]").Input("   ");
        page.Find("[data-testid=decision-confirm]").Click();

        Assert.Contains(DecisionPanel.ReasonRequired, page.Find("[data-testid=decision-panel]").TextContent, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Pending, Approvals.Get(id)!.Status);
        Assert.Equal(auditBefore, AuditLog.Records.Count);
        Assert.NotEmpty(page.FindAll($"[data-testid=deny-{id}]"));
    }

    [Fact]
    public async Task Deny_WithReason_RecordsTheDenialInHistory()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        SignIn("alice", Role.Approver);
        var page = RenderPage<ApprovalsPage>();
        page.WaitForElement($"[data-testid=deny-{id}]").Click();

        page.Find("[data-testid=decision-reason]").Input("wrong instance");
        page.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal("Denied", page.Find($"[data-testid=history-status-{id}]").TextContent.Trim()));
        Assert.Equal(ApprovalStatus.Denied, Approvals.Get(id)!.Status);
        Assert.Equal("wrong instance", Approvals.Get(id)!.DecisionReason);
        Assert.Empty(Scheduler.Enqueued);
        Assert.Empty(page.FindAll($"[data-testid=deny-{id}]"));
        Assert.Contains("Denied.", SnackbarMessages);
    }

    [Fact]
    public async Task Approve_OwnRequest_ShowsThePipelinesRefusalAndStaysPending()
    {
        var alice = SignIn("alice", Role.Approver);
        var id = await RequestTerminateAsync(alice);
        var page = RenderPage<ApprovalsPage>();
        page.WaitForElement($"[data-testid=approve-{id}]").Click();

        page.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("Nobody approves their own request.", SnackbarMessages));
        Assert.Equal(ApprovalStatus.Pending, Approvals.Get(id)!.Status);
        Assert.Empty(Scheduler.Enqueued);
        Assert.NotEmpty(page.FindAll($"[data-testid=approve-{id}]"));
    }

    [Fact]
    public async Task Approve_AlreadyDecidedElsewhere_ShowsWhoDecided()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        var carol = AddUser("carol", Role.Approver);
        SignIn("alice", Role.Approver);
        var page = RenderPage<ApprovalsPage>();
        page.WaitForElement($"[data-testid=approve-{id}]").Click();

        await Pipeline.ApproveAsync(carol.AsActor(Channel.Telegram), id, null);
        page.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("This request was already approved by carol.", SnackbarMessages));
        Assert.Equal("carol", Approvals.Get(id)!.DecidedByName);
        Assert.Equal([id], Scheduler.Enqueued);
    }

    [Fact]
    public async Task Render_Viewer_SeesRequestsButNoDecisionButtons()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        SignIn("vera", Role.Viewer);

        var page = RenderPage<ApprovalsPage>();

        page.WaitForElement($"[data-testid=pending-{id}]");
        Assert.Empty(page.FindAll("[data-testid^=approve-]"));
        Assert.Empty(page.FindAll("[data-testid^=deny-]"));
        Assert.NotEmpty(page.FindAll("[data-testid=decide-hint]"));
    }

    [Fact]
    public async Task Render_PendingRequest_ShowsRequesterRuleTimesAndTargets()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        SignIn("alice", Role.Approver);

        var page = RenderPage<ApprovalsPage>();

        var grid = page.WaitForElement("[data-testid=pending-grid]");
        page.WaitForElement($"[data-testid=pending-{id}]");
        var text = grid.TextContent;
        Assert.Contains("Terminate 1 instance(s): web-01", text, StringComparison.Ordinal);
        Assert.Contains("bob", text, StringComparison.Ordinal);
        Assert.Contains("Terminate needs approval", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-25 09:00:00", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-26 09:00:00", text, StringComparison.Ordinal);
        Assert.Contains($"Sandbox / eu-west-1 / {_fleet[0].InstanceId}", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"{TestData.SandboxAccount}/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveRefresh_DecisionTakenInTelegram_ShowsWithoutReload()
    {
        var id = await RequestTerminateAsync(AddUser("bob", Role.Operator));
        var carol = AddUser("carol", Role.Approver);
        SignIn("alice", Role.Approver);
        var page = RenderPage<ApprovalsPage>(p => p.Add(x => x.RefreshInterval, TimeSpan.FromMilliseconds(100)));
        page.WaitForElement($"[data-testid=approve-{id}]");

        await Pipeline.DenyAsync(carol.AsActor(Channel.Telegram), id, "not today");

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=approve-{id}]")), TimeSpan.FromSeconds(5));
        page.WaitForAssertion(() => Assert.Equal("carol (Telegram)", page.Find($"[data-testid=history-decider-{id}]").TextContent), TimeSpan.FromSeconds(5));
    }

    private ActionPipeline Pipeline => Services.GetRequiredService<ActionPipeline>();

    private async Task<Guid> RequestTerminateAsync(PortalUser requester)
    {
        var result = await Pipeline.SubmitAsync(requester.AsActor(Channel.Web), new ActionRequest(ActionKind.TerminateInstances, [_fleet[0].Ref], "retire"));
        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        return result.ApprovalId!.Value;
    }
}
