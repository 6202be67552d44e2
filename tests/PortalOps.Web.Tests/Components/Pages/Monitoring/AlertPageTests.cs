using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Monitoring;
using PortalOps.Web.Components.Pages.Monitoring;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Monitoring;

public sealed class AlertPageTests : PortalTestContext
{
    private readonly FakeAlertStore _alerts = new();
    private readonly FakeAlertRuleStore _rules = new();
    private readonly Instance _web = TestData.Instance(1);

    public AlertPageTests()
    {
        Inventory.Add(_web);
        Services.AddSingleton<IAlertStore>(_alerts);
        Services.AddSingleton<IAlertRuleStore>(_rules);
        Services.AddSingleton<IMonitoringEvents, MonitoringEvents>();
        Services.AddScoped<AlertOperations>();
    }

    private async Task<(Alert Alert, Guid ApprovalId)> OpenAlertWithOfferedRebootAsync(PortalUser owner)
    {
        var rule = new AlertRuleDraft
        {
            Name = "Web CPU", Threshold = 80, EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Account, ScopeValue = "*", NotifyRole = Role.Operator,
            Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Offered)],
        }.ToRule(Guid.NewGuid(), owner, Start, TimeSpan.FromMinutes(5));
        await _rules.SaveAsync(rule);
        var alert = Alert.Open(rule, [new AlertMember(_web.Ref, _web.Name, Start, 95, "Average CPU 95 %")], Start);
        var offer = await Services.GetRequiredService<ActionPipeline>().SubmitAsync(
            CorrectiveActions.OfferingActor(rule, owner)!, new ActionRequest(ActionKind.RebootInstances, [_web.Ref]) { RequireApproval = "Offered by alert rule 'Web CPU'" });
        alert.RecordAction(AlertEventKind.ActionOffered, "rule", "Reboot waits", Start, offer.ApprovalId);
        await _alerts.AddAsync(alert);
        return (alert, offer.ApprovalId!.Value);
    }

    [Fact]
    public async Task Operator_Acknowledges_TheStatusAndHistoryShowIt_AndItIsAudited()
    {
        var owner = AddUser("alice", Role.Approver);
        var (alert, _) = await OpenAlertWithOfferedRebootAsync(owner);
        SignIn("olga", Role.Operator);

        var page = RenderPage<AlertPage>(p => p.Add(x => x.Id, alert.Id));
        page.WaitForElement("[data-testid=alert-acknowledge]").Click();

        page.WaitForAssertion(() => Assert.Equal("Acknowledged", page.Find("[data-testid=alert-status]").TextContent.Trim()));
        Assert.Contains("olga", page.Find("[data-testid=alert-history]").TextContent, StringComparison.Ordinal);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == "alert.acknowledge" && r.Event.Outcome == AuditOutcome.Succeeded);
        // An Operator answers the alert but does not decide approvals.
        Assert.Empty(page.FindAll("[data-testid^=approve-]"));
    }

    [Fact]
    public async Task Approver_ApprovesTheOfferedReboot_FromTheAlertPage()
    {
        var owner = AddUser("alice", Role.Approver);
        var (alert, approvalId) = await OpenAlertWithOfferedRebootAsync(owner);
        SignIn("bob", Role.Approver);

        var page = RenderPage<AlertPage>(p => p.Add(x => x.Id, alert.Id));
        page.WaitForElement($"[data-testid=approve-{approvalId}]").Click();
        page.Find("[data-testid=decision-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal(ApprovalStatus.Approved, Approvals.FindAsync(approvalId).GetAwaiter().GetResult()!.Status));
        Assert.Equal([approvalId], Scheduler.Enqueued);
        page.WaitForAssertion(() => Assert.Contains("approved", page.Find("[data-testid=alert-actions]").TextContent, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Viewer_SeesTheAlertButCannotAnswerIt()
    {
        var owner = AddUser("alice", Role.Approver);
        var (alert, _) = await OpenAlertWithOfferedRebootAsync(owner);
        SignIn("vera", Role.Viewer);

        var page = RenderPage<AlertPage>(p => p.Add(x => x.Id, alert.Id));

        page.WaitForAssertion(() => Assert.Equal("Web CPU", page.Find("[data-testid=alert-title]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=alert-acknowledge]"));
        Assert.Empty(page.FindAll("[data-testid=alert-resolve]"));
    }

    [Fact]
    public void UnknownAlert_SaysSo()
    {
        SignIn("vera", Role.Viewer);

        var page = RenderPage<AlertPage>(p => p.Add(x => x.Id, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.Contains("does not exist", page.Find("[data-testid=alert-missing]").TextContent, StringComparison.Ordinal));
    }
}
