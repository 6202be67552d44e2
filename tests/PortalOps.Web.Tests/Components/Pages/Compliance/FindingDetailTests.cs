using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Compliance;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

public sealed class FindingDetailTests : CompliancePageContext
{
    private const string Imds = "instance-imdsv1-allowed";

    [Fact]
    public async Task Detail_ViewerOfTheScope_SeesResourceEvidenceAndHistoryButCannotAct()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        SignIn("vera", Role.Viewer, new Scope(SandboxAccount, "*"));

        var page = RenderPage<FindingDetail>(p => p.Add(x => x.Id, finding.Id));

        page.WaitForAssertion(() => Assert.Contains(finding.ResourceId, page.Find("[data-testid=finding-resource]").TextContent, StringComparison.Ordinal));
        Assert.Equal(finding.Evidence, page.Find("[data-testid=finding-evidence]").TextContent);
        Assert.Contains("First seen 2026-11-25 09:00 UTC", page.Find("[data-testid=finding-seen]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Opened:", page.Find("[data-testid=finding-history]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=remediation-readonly]"));
        Assert.NotNull(page.Find("[data-testid=exception-readonly]"));
        Assert.Empty(page.FindAll("[data-testid=remediation-plan]"));
        Assert.Empty(page.FindAll("[data-testid=exception-grant]"));
    }

    [Fact]
    public async Task Detail_ViewerOfAnotherScope_ReadsNotFoundAndNothingOfTheResource()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        SignIn("otto", Role.Operator, new Scope("222222222222", "*"));

        var page = RenderPage<FindingDetail>(p => p.Add(x => x.Id, finding.Id));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=finding-not-found]")));
        Assert.DoesNotContain(finding.ResourceId, page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=remediation-panel]"));
    }

    [Fact]
    public async Task Remediate_FromTheFindingPage_PlansThatOneResourceAndRequestsItThroughThePipelineForApproval()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        SignIn("olga", Role.Operator, new Scope(SandboxAccount, "*"));
        var page = RenderPage<FindingDetail>(p => p.Add(x => x.Id, finding.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=remediation-plan]")));

        page.Find("[data-testid=remediation-plan]").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=remediation-resource]")));
        Assert.Contains(finding.ResourceId, page.Find("[data-testid=remediation-resource]").TextContent, StringComparison.Ordinal);
        page.Find("[data-testid=remediation-request]").Click();

        page.WaitForAssertion(() => Assert.Contains("waits for approval", page.Find("[data-testid=remediation-result]").TextContent, StringComparison.Ordinal));
        var request = Assert.Single(Approvals.All);
        Assert.Equal(ActionKind.Remediate, request.Kind);
        Assert.Equal([finding.ResourceId], request.Targets.Select(t => t.Ref.InstanceId));
        Assert.Equal(Imds, request.Parameters[RemediationExecutor.PolicyParameter]);

        // Another person approves; the approved request changes exactly that instance, and the next scan resolves the finding.
        var approver = AddUser("paul", Role.Approver, new Scope(SandboxAccount, "*"));
        var pipeline = Services.GetRequiredService<ActionPipeline>();
        Assert.Equal(ActionStatus.Decided, (await pipeline.ApproveAsync(approver.AsActor(Channel.Web), request.Id, null)).Status);
        var executed = await pipeline.ExecuteApprovedAsync(request.Id);
        Assert.Equal(ActionStatus.Executed, executed.Status);
        var othersBefore = Store.Findings.Count(f => f.PolicyId == Imds && f.Status == FindingStatus.Open) - 1;

        await ScanAsync();

        Assert.Equal(FindingStatus.Resolved, finding.Status);
        Assert.Equal(othersBefore, Store.Findings.Count(f => f.PolicyId == Imds && f.Status == FindingStatus.Open));
    }

    [Fact]
    public async Task GrantException_ExpiryInThePast_IsRefusedAtTheFieldAndNothingIsAsked()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        SignIn("paul", Role.Approver, new Scope(SandboxAccount, "*"));
        var page = RenderPage<FindingDetail>(p => p.Add(x => x.Id, finding.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exception-grant]")));

        page.Find("[data-testid=exception-reason]").Change("vendor agent needs IMDSv1");
        page.Find("[data-testid=exception-expires]").Change("2026-11-24");
        page.Find("[data-testid=exception-grant]").Click();

        page.WaitForAssertion(() => Assert.Contains("must lie in the future", page.Find("[data-testid=exception-form]").TextContent, StringComparison.Ordinal));
        Assert.Empty(Approvals.All);
        Assert.Empty(Store.Waivers);

        page.Find("[data-testid=exception-expires]").Change(string.Empty);
        page.Find("[data-testid=exception-grant]").Click();
        page.WaitForAssertion(() => Assert.Contains("needs an expiry date", page.Find("[data-testid=exception-form]").TextContent, StringComparison.Ordinal));
        Assert.Empty(Approvals.All);
    }

    [Fact]
    public async Task GrantException_Approved_StoresItAndExceptsTheFinding()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        SignIn("paul", Role.Approver, new Scope(SandboxAccount, "*"));
        var page = RenderPage<FindingDetail>(p => p.Add(x => x.Id, finding.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exception-grant]")));

        page.Find("[data-testid=exception-reason]").Change("vendor agent needs IMDSv1");
        page.Find("[data-testid=exception-expires]").Change("2026-12-31");
        page.Find("[data-testid=exception-grant]").Click();

        page.WaitForAssertion(() => Assert.Contains("waits for approval (compliance exception)", page.Find("[data-testid=exception-result]").TextContent, StringComparison.Ordinal));
        var request = Assert.Single(Approvals.All);
        Assert.Equal(ActionKind.GrantException, request.Kind);
        Assert.Equal([finding.ResourceId], request.Targets.Select(t => t.Ref.InstanceId));
        Assert.Empty(Store.Waivers);

        var other = AddUser("ria", Role.Approver);
        var pipeline = Services.GetRequiredService<ActionPipeline>();
        await pipeline.ApproveAsync(other.AsActor(Channel.Web), request.Id, null);
        Assert.Equal(ActionStatus.Executed, (await pipeline.ExecuteApprovedAsync(request.Id)).Status);

        var waiver = Assert.Single(Store.Waivers);
        Assert.Equal((finding.Id, "paul", "vendor agent needs IMDSv1"), (waiver.FindingId!.Value, waiver.Owner, waiver.Reason));
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), waiver.ExpiresAt);
        Assert.Equal(FindingStatus.Waived, finding.Status);
        Assert.Equal(ApprovalStatus.Executed, Approvals.Get(request.Id)!.Status);
    }

    [Fact]
    public async Task GrantException_Operator_IsNotOfferedAndThePipelineRefuses()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        var olga = SignIn("olga", Role.Operator, new Scope(SandboxAccount, "*"));
        var page = RenderPage<FindingDetail>(p => p.Add(x => x.Id, finding.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exception-readonly]")));

        var asked = await Services.GetRequiredService<Jobs.Compliance.ExceptionRequests>().RequestAsync(olga.AsActor(Channel.Web),
            new ExceptionDraft(Imds, finding.Id, null, null, "no", "olga", Start.AddDays(3)));

        Assert.Equal(ActionStatus.Refused, asked.Result!.Status);
        Assert.Empty(Approvals.All);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == ActionKind.GrantException.Name && r.Event.Outcome == Domain.Audit.AuditOutcome.Denied);
    }
}
