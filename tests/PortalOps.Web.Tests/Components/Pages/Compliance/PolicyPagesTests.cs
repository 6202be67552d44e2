using Bunit;
using MudBlazor;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Components.Pages.Compliance;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

public sealed class PolicyPagesTests : CompliancePageContext
{
    private const string BigVolumes = "id: big-volumes\ntitle: Big volumes\nresource: volume\nseverity: low\nfilters:\n  - field: size-gib\n    greater-than: 1\n";

    [Fact]
    public void PolicyList_Viewer_SeesEveryPolicyReadOnly()
    {
        SignIn("vera", Role.Viewer, new Scope(SandboxAccount, "*"));

        var page = RenderPage<PolicyList>();

        page.WaitForAssertion(() => Assert.Contains("sg-ssh-open-to-world", page.Find("[data-testid=policy-table]").TextContent, StringComparison.Ordinal));
        Assert.Equal(BuiltInPolicies.All.Count, page.FindAll("[data-testid=policy-link]").Count);
        Assert.NotNull(page.Find("[data-testid=policy-readonly]"));
        Assert.Empty(page.FindAll("[data-testid=policy-new]"));
        Assert.Empty(page.FindAll("[data-testid=policy-import]"));
        Assert.True(Switch(page, "sg-ssh-open-to-world").Instance.Disabled);
    }

    [Fact]
    public async Task PolicyList_AdminSwitchesABuiltInOff_OutOfForceAndAudited()
    {
        SignIn("ada", Role.Admin);
        var page = RenderPage<PolicyList>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=policy-new]")));

        var toggle = Switch(page, "sg-any-port-open-to-world");
        Assert.False(toggle.Instance.Disabled);
        await page.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(false));

        page.WaitForAssertion(() => Assert.Contains("switched off", page.Find("[data-testid=policy-message]").TextContent, StringComparison.Ordinal));
        Assert.Contains("sg-any-port-open-to-world", Store.Disabled);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == "compliance.policy.enable" && r.Event.Outcome == AuditOutcome.Succeeded && r.Event.Target == "policy:sg-any-port-open-to-world");
    }

    [Fact]
    public async Task Editor_ViewerCannotSave_PageIsReadOnlyAndTheUseCaseRefusesAndAudits()
    {
        var vera = SignIn("vera", Role.Viewer);
        var page = RenderPage<PolicyEditorPage>(p => p.Add(x => x.PolicyId, "instance-imdsv1-allowed"));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=policy-readonly]")));
        Assert.True(page.Find("[data-testid=yaml-text]").HasAttribute("readonly"));
        Assert.Empty(page.FindAll("[data-testid=policy-save]"));
        Assert.Contains("instance-imdsv1-allowed", page.Find("[data-testid=yaml-text]").GetAttribute("value"), StringComparison.Ordinal);

        var editor = Services.GetService(typeof(PolicyEditor)) as PolicyEditor;
        await Assert.ThrowsAsync<DomainException>(() => editor!.SaveAsync(vera.AsActor(Channel.Web), BigVolumes));
        Assert.Empty(Store.Versions);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == "compliance.policy.save" && r.Event.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public void Editor_BadYaml_ShowsEachErrorWithItsLineMarksTheGutterAndSavesNothing()
    {
        SignIn("ada", Role.Admin);
        var page = RenderPage<PolicyEditorPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=policy-save]")));

        page.Find("[data-testid=yaml-text]").Change("id: big-volumes\ntitle: Big\nresource: volume\nseverity: low\ncolour: red\nfilters:\n  - field: size\n    greater-than: 500\n");
        page.Find("[data-testid=policy-save]").Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=policy-error]").Count));
        var errors = page.FindAll("[data-testid=policy-error]").Select(e => e.TextContent).ToList();
        Assert.Contains(errors, e => e.StartsWith("Line 5,", StringComparison.Ordinal) && e.Contains("colour", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Line 7,", StringComparison.Ordinal) && e.Contains("size", StringComparison.Ordinal));
        Assert.Equal(["5", "7"], page.FindAll("[data-testid=yaml-gutter] [data-error=true]").Select(s => s.TextContent));
        Assert.Empty(Store.Versions);
        Assert.DoesNotContain(AuditLog.Records, r => r.Event.Action == "compliance.policy.save");
        Assert.Empty(page.FindAll("[data-testid=policy-saved]"));
    }

    [Fact]
    public void Editor_Reference_FollowsTheResourceLine_AndOffersTheSchema()
    {
        SignIn("vera", Role.Viewer);
        var page = RenderPage<PolicyEditorPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=policy-field]")));

        // The template names an instance.
        var instanceFields = page.FindAll("[data-testid=policy-field] code").Select(c => c.TextContent).ToList();
        Assert.Equal(ResourceFields.For(ResourceType.Instance).Keys.Order(StringComparer.Ordinal), instanceFields);

        page.Find("[data-testid=yaml-text]").Change("id: open\ntitle: Open\nresource: security-group\nseverity: high\nfilters: []\n");
        page.WaitForAssertion(() => Assert.Equal(
            ResourceFields.For(ResourceType.SecurityGroup).Keys.Order(StringComparer.Ordinal),
            page.FindAll("[data-testid=policy-field] code").Select(c => c.TextContent)));
        Assert.Contains("revoke-world-open", page.Find("[data-testid=policy-remediations]").TextContent, StringComparison.Ordinal);

        page.Find("[data-testid=yaml-text]").Change("id: odd\nresource: planet\n");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=policy-field]")));
        Assert.Contains("security-group", page.Find("[data-testid=policy-reference-hint]").TextContent, StringComparison.Ordinal);

        Assert.Equal("/compliance/portalops-policy.schema.json", page.Find("[data-testid=policy-schema-link]").GetAttribute("href"));
        Assert.EndsWith("$schema=http://localhost/compliance/portalops-policy.schema.json", page.Find("[data-testid=policy-schema-line]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editor_DryRunThenSave_ListsTheMatchesFirstThenSavesAVersionWithItsAuthor()
    {
        await ScanAsync();
        SignIn("ada", Role.Admin);
        var page = RenderPage<PolicyEditorPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=policy-save]")));
        page.Find("[data-testid=yaml-text]").Change(BigVolumes);

        page.Find("[data-testid=policy-dry-run]").Click();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=policy-dry-run-match]")));
        Assert.Contains("vol-", page.Find("[data-testid=policy-dry-run-result]").TextContent, StringComparison.Ordinal);
        Assert.Empty(Store.Versions);

        page.Find("[data-testid=policy-save]").Click();

        page.WaitForAssertion(() => Assert.Single(Store.Versions));
        Assert.Equal(("big-volumes", 1, "ada"), (Store.Versions[0].PolicyId, Store.Versions[0].Version, Store.Versions[0].Author));
        Assert.Contains(AuditLog.Records, r => r.Event.Action == "compliance.policy.save" && r.Event.Outcome == AuditOutcome.Succeeded && r.Event.Target == "policy:big-volumes");
    }

    [Fact]
    public async Task Editor_DryRunForAViewerOfAnotherAccount_ListsNothingOfTheSandbox()
    {
        await ScanAsync();
        SignIn("otto", Role.Viewer, new Scope("222222222222", "*"));
        var page = RenderPage<PolicyEditorPage>(p => p.Add(x => x.PolicyId, "volume-unattached"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=policy-dry-run]")));

        page.Find("[data-testid=policy-dry-run]").Click();

        page.WaitForAssertion(() => Assert.Contains("0 of", page.Find("[data-testid=policy-dry-run-result]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=policy-dry-run-match]"));
    }

    [Fact]
    public void Editor_VersionHistory_ListsEveryVersionNewestFirstAndLoadsOne()
    {
        Store.Versions.Add(new Domain.Compliance.PolicyVersion("big-volumes", 1, BigVolumes, "ana", Start));
        Store.Versions.Add(new Domain.Compliance.PolicyVersion("big-volumes", 2, BigVolumes.Replace("greater-than: 1", "greater-than: 50", StringComparison.Ordinal), "bob", Start.AddHours(1)));
        SignIn("ada", Role.Admin);
        var page = RenderPage<PolicyEditorPage>(p => p.Add(x => x.PolicyId, "big-volumes"));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=policy-version]").Count));
        Assert.StartsWith("v2", page.FindAll("[data-testid=policy-version]")[0].TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("greater-than: 50", page.Find("[data-testid=yaml-text]").GetAttribute("value"), StringComparison.Ordinal);

        page.FindAll("[data-testid=policy-version] button")[1].Click();

        page.WaitForAssertion(() => Assert.Contains("greater-than: 1\n", page.Find("[data-testid=yaml-text]").GetAttribute("value"), StringComparison.Ordinal));
    }

    [Fact]
    public void PolicyList_AdminImportsTwoFiles_SavesTheGoodOneAndNamesTheBadOnesLine()
    {
        SignIn("ada", Role.Admin);
        var page = RenderPage<PolicyList>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=policy-new]")));

        page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(
            InputFileContent.CreateFromText(BigVolumes, "big-volumes.yaml"),
            InputFileContent.CreateFromText("id: broken\ntitle: Broken\nresource: planet\nseverity: low\nfilters: []\n", "broken.yaml"));

        page.WaitForAssertion(() => Assert.Contains("broken.yaml: line 3", page.Find("[data-testid=policy-message]").TextContent, StringComparison.Ordinal));
        Assert.Equal(["big-volumes"], Store.Versions.Select(v => v.PolicyId));
        Assert.Contains(AuditLog.Records, r => r.Event.Action == "compliance.policy.import");
        Assert.Equal(BuiltInPolicies.All.Count + 1, page.FindAll("[data-testid=policy-link]").Count);
    }

    [Fact]
    public void PolicyList_ViewerOfAnotherScope_StillReadsPoliciesButNoFindings()
    {
        SignIn("otto", Role.Viewer, new Scope("222222222222", "*"));
        var page = RenderPage<PolicyList>();
        page.WaitForAssertion(() => Assert.Equal(BuiltInPolicies.All.Count, page.FindAll("[data-testid=policy-link]").Count));
        Assert.DoesNotContain(SandboxAccount, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulkRemediation_FromThePolicyPage_RequestsEveryMatchTheOperatorMaySee()
    {
        await ScanAsync();
        SignIn("olga", Role.Operator, new Scope(SandboxAccount, "*"));
        var page = RenderPage<PolicyEditorPage>(p => p.Add(x => x.PolicyId, "instance-imdsv1-allowed"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=remediation-plan]")));
        var open = Store.Findings.Where(f => f.PolicyId == "instance-imdsv1-allowed" && f.Status == Domain.Compliance.FindingStatus.Open).Select(f => f.ResourceId).Order(StringComparer.Ordinal).ToList();
        Assert.True(open.Count > 1, "the sandbox has several instances allowing IMDSv1");

        page.Find("[data-testid=remediation-plan]").Click();
        page.WaitForAssertion(() => Assert.Equal(open.Count, page.FindAll("[data-testid=remediation-resource]").Count));
        page.Find("[data-testid=remediation-request]").Click();

        page.WaitForAssertion(() => Assert.Contains("waits for approval", page.Find("[data-testid=remediation-result]").TextContent, StringComparison.Ordinal));
        Assert.Equal(open, Assert.Single(Approvals.All).Targets.Select(t => t.Ref.InstanceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BulkRemediation_MoreMatchesThanMaxResources_IsRefusedBeforeAnythingIsAsked()
    {
        Store.Versions.Add(new Domain.Compliance.PolicyVersion("imds-strict", 1,
            "id: imds-strict\ntitle: IMDSv1 strict\nresource: instance\nseverity: high\nmax-resources: 1\nremediation: require-imdsv2\nfilters:\n  - field: imds-v2-required\n    equals: false\n", "ada", Start));
        await ScanAsync();
        SignIn("olga", Role.Operator, new Scope(SandboxAccount, "*"));
        var page = RenderPage<PolicyEditorPage>(p => p.Add(x => x.PolicyId, "imds-strict"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=remediation-plan]")));

        page.Find("[data-testid=remediation-plan]").Click();

        page.WaitForAssertion(() => Assert.Contains("more than its max-resources of 1: refused", page.Find("[data-testid=remediation-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=remediation-request]"));
        Assert.Empty(Approvals.All);
    }

    [Fact]
    public void BulkRemediation_Viewer_IsNotOffered()
    {
        SignIn("vera", Role.Viewer, new Scope(SandboxAccount, "*"));
        var page = RenderPage<PolicyEditorPage>(p => p.Add(x => x.PolicyId, "instance-imdsv1-allowed"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=remediation-readonly]")));
        Assert.Empty(page.FindAll("[data-testid=remediation-plan]"));
    }

    private static IRenderedComponent<MudSwitch<bool>> Switch(IRenderedComponent<PolicyList> page, string policyId) =>
        page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == $"policy-enabled-{policyId}");
}
