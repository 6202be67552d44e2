using Bunit;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Instances.Detail;

namespace PortalOps.Web.Tests.Components.Pages.Instances.Detail;

public sealed class InstanceDetailTests : SandboxPortalTestContext
{
    private const string EuWest = "eu-west-1";

    [Fact]
    public async Task Render_LaunchedInstance_ShowsOverviewVolumesNetworkAndItsMetrics()
    {
        var made = await LaunchAsync();
        SignIn("vera", Role.Viewer);

        var page = Open(made);

        Assert.Equal("detail-web", page.Find("[data-testid=instance-name]").TextContent);
        Assert.Equal("pending", page.Find("[data-testid=state-chip]").GetAttribute("data-state"));
        Assert.Contains("IMDSv2 required", page.Find("[data-testid=overview-imds]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Metrics", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=instance-actions]"));
        await page.InvokeAsync(() => page.FindComponent<MudTabs>().Instance.ActivatePanelAsync(5, false));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=instance-metrics] [data-testid=nodata-Cpu]")));
    }

    [Fact]
    public async Task Network_GroupOpenOnSshToTheWorld_IsFlagged()
    {
        var ssh = (await Sandbox.SecurityGroupsAsync(new CloudScope(Account, EuWest))).Single(g => g.Name == "ssh-from-anywhere");
        var made = await LaunchAsync(groups: [ssh.GroupId]);
        SignIn("vera", Role.Viewer);

        var page = Open(made);
        await page.InvokeAsync(() => page.FindComponent<MudTabs>().Instance.ActivatePanelAsync(3, false));

        Assert.Contains("Open to the internet: port 22 (SSH) from 0.0.0.0/0", page.Find("[data-testid=open-admin-port]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_PendingInstance_ShowsRunningWithoutAReload()
    {
        var made = await LaunchAsync();
        SignIn("vera", Role.Viewer);
        var page = Open(made);
        Assert.Equal("pending", page.Find("[data-testid=state-chip]").GetAttribute("data-state"));

        Clock.Advance(TimeSpan.FromSeconds(5));

        page.WaitForAssertion(() => Assert.Equal("running", page.Find("[data-testid=state-chip]").GetAttribute("data-state")));
        await page.InvokeAsync(() => page.FindComponent<MudTabs>().Instance.ActivatePanelAsync(4, false));
        Assert.Contains(page.FindAll("[data-testid=timeline-entry]"), e => e.TextContent.Contains("pending → running", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Protection_OperatorTurnsTerminationProtectionOn_ItIsSetAuditedAndTerminateIsRefused()
    {
        var made = await LaunchAsync();
        SignIn("olga", Role.Operator);
        var page = Open(made);

        var toggle = page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label == "Termination protection");
        await page.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(true));

        page.WaitForAssertion(() => Assert.True(page.Instance.Attributes?.TerminationProtection));
        page.WaitForAssertion(() => Assert.Equal(AuditOutcome.Succeeded, Assert.Single(AuditLog.Events("instances.protection")).Outcome));
        await page.InvokeAsync(() => page.FindComponent<MudTabs>().Instance.ActivatePanelAsync(4, false));
        Assert.Contains("instances.protection", page.Find("[data-testid=audit-trail-row]").TextContent, StringComparison.Ordinal);
        var terminate = await Sandbox.ApplyAsync(InstanceAction.Terminate, [made], "k-protected");
        Assert.Contains("termination protection is on", terminate.Targets[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tags_OperatorEditsAndSaves_OnlyTheChangesGoThroughThePipeline()
    {
        var made = await LaunchAsync();
        SignIn("olga", Role.Operator);
        var page = Open(made);
        await page.InvokeAsync(() => page.FindComponent<MudTabs>().Instance.ActivatePanelAsync(1, false));

        page.Find("[data-testid=tag-add]").Click();
        var last = page.FindAll("input[data-testid^=tag-key-]").Count - 1;
        page.Find($"input[data-testid=tag-key-{last}]").Change("owner");
        page.Find($"input[data-testid=tag-value-{last}]").Change("ana");
        page.Find("[data-testid=tag-save]").Click();

        page.WaitForAssertion(() => Assert.Equal("ana", Sandbox.FindAsync(made).Result!.Tags.GetValueOrDefault("owner")));
        var audited = Assert.Single(AuditLog.Events("instances.tags"));
        Assert.Contains("tag:owner", audited.Parameters, StringComparison.Ordinal);
        Assert.DoesNotContain("tag:team", audited.Parameters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tags_ReservedKeyOrRemovingARequiredTag_SaysWhyAtTheRow()
    {
        var made = await LaunchAsync();
        SignIn("olga", Role.Operator);
        var page = Open(made);
        await page.InvokeAsync(() => page.FindComponent<MudTabs>().Instance.ActivatePanelAsync(1, false));

        page.Find("[data-testid=tag-add]").Click();
        var last = page.FindAll("input[data-testid^=tag-key-]").Count - 1;
        page.Find($"input[data-testid=tag-key-{last}]").Change("aws:cost");
        var teamRow = page.FindAll("input[data-testid^=tag-key-]").ToList().FindIndex(i => i.GetAttribute("value") == "team");
        page.Find($"[data-testid=tag-remove-{teamRow}]").Click();
        page.Find("[data-testid=tag-save]").Click();

        Assert.Contains(page.FindAll("[data-testid^=tag-error-]"), e => e.TextContent == "Tag keys starting with aws: are reserved for AWS.");
        Assert.Equal("team is a required tag and cannot be removed.", page.Find("[data-testid=tag-error-removed]").TextContent);
        Assert.Empty(AuditLog.Events("instances.tags"));
    }

    [Fact]
    public async Task Terminate_WithFinalSnapshot_AsksForApprovalOfSnapshotAndTerminate()
    {
        var made = await LaunchAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));
        SignIn("olga", Role.Operator);
        var page = Open(made);

        page.Find("[data-testid=action-terminate]").Click();
        DialogProvider.WaitForElement("[data-testid=confirm-final-snapshot]");
        Assert.Contains("Terminate 1 instance(s) — account Sandbox: eu-west-1 (1)", DialogProvider.Find("[data-testid=confirm-blast-radius]").TextContent, StringComparison.Ordinal);
        Assert.Contains("needs approval", DialogProvider.Find("[data-testid=confirm-note]").TextContent, StringComparison.Ordinal);
        var snapshot = DialogProvider.FindComponent<MudCheckBox<bool>>();
        await DialogProvider.InvokeAsync(() => snapshot.Instance.ValueChanged.InvokeAsync(true));
        DialogProvider.Find("[data-testid=confirm-action]").Click();

        page.WaitForAssertion(() => Assert.Single(Approvals.All));
        Assert.Equal(ActionKind.SnapshotAndTerminateInstances.Name, Approvals.All.Single().KindName);
        Assert.Equal(InstanceState.Running, (await Sandbox.FindAsync(made))!.State);
    }

    [Fact]
    public async Task Actions_RunningThenStoppedInstance_OfferOnlyWhatTheStateAllows()
    {
        var made = await LaunchAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));
        SignIn("olga", Role.Operator);
        var page = Open(made);
        page.WaitForAssertion(() => Assert.Equal("running", page.Find("[data-testid=state-chip]").GetAttribute("data-state")));

        Assert.Empty(page.FindAll("[data-testid=action-start]"));
        Assert.NotEmpty(page.FindAll("[data-testid=action-stop]"));
        Assert.NotEmpty(page.FindAll("[data-testid=action-reboot]"));

        await Sandbox.ApplyAsync(InstanceAction.Stop, [made], "k-stop");
        Clock.Advance(TimeSpan.FromMinutes(2));

        page.WaitForAssertion(() => Assert.Equal("stopped", page.Find("[data-testid=state-chip]").GetAttribute("data-state")));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=action-start]")));
        Assert.Empty(page.FindAll("[data-testid=action-reboot]"));
        Assert.Empty(page.FindAll("[data-testid=action-stop]"));
    }

    [Fact]
    public async Task Breadcrumbs_ShowTheAccountsDisplayNameNotItsId()
    {
        var made = await LaunchAsync();
        SignIn("vera", Role.Viewer);

        var page = Open(made);

        var crumbs = page.Find("[data-testid=instance-breadcrumbs]").TextContent;
        Assert.Contains("Sandbox / eu-west-1", crumbs, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Account} /", crumbs, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnknownInstance_SaysItWasNotFound()
    {
        SignIn("vera", Role.Viewer);
        var page = Open(new InstanceRef(Account, EuWest, "i-00000000000000000"));
        Assert.Contains("was not found", page.Find("[data-testid=instance-not-found]").TextContent, StringComparison.Ordinal);
    }

    private async Task<InstanceRef> LaunchAsync(IReadOnlyList<string>? groups = null)
    {
        var scope = new CloudScope(Account, EuWest);
        var image = (await Sandbox.LatestAsync(scope)).First(i => i.Architecture == "x86_64");
        var subnet = (await Sandbox.SubnetsAsync(scope)).First(s => s.AvailabilityZone == "eu-west-1a");
        var request = new LaunchRequest(Account, EuWest, image.ImageId, "t3.micro", 1, "detail-web", new Dictionary<string, string> { ["team"] = "payments" }, subnet.SubnetId, groups)
        {
            RootVolume = new RootVolumeSpec(10),
        };
        return (await Sandbox.LaunchAsync(request, Guid.NewGuid().ToString("N"))).Instances.Single();
    }

    private IRenderedComponent<InstanceDetail> Open(InstanceRef instance)
    {
        var page = RenderPage<InstanceDetail>(p => p
            .Add(x => x.AccountId, instance.AccountId)
            .Add(x => x.Region, instance.Region)
            .Add(x => x.InstanceId, instance.InstanceId));
        page.WaitForAssertion(() => Assert.True(page.Instance.Loaded));
        return page;
    }
}
