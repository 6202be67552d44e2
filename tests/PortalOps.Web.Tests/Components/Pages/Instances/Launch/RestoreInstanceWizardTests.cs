using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;
using PortalOps.Jobs.Sandbox;
using PortalOps.Web.Components.Pages.Backups;
using PortalOps.Web.Components.Pages.Instances.Launch;
using PortalOps.Web.Tests.Components.Pages.Backups;

namespace PortalOps.Web.Tests.Components.Pages.Instances.Launch;

/// <summary>
/// Restoring an instance from a backup image in the launch wizard, on the Sandbox account: prefilled from the source instance, the image
/// and count locked, checked like any launch, and submitted as a RestoreInstance through the action pipeline.
/// </summary>
public sealed class RestoreInstanceWizardTests : SandboxPortalTestContext
{
    private const string EuWest = "eu-west-1";
    private readonly SandboxBackupCloud _backups;

    public RestoreInstanceWizardTests()
    {
        _backups = new SandboxBackupCloud(Sandbox, Clock, Options.Create(new BackupsOptions { SandboxFailureRate = 0 }));
        var memory = new BackupMemory();
        var cron = new CronosSchedule();
        Services.AddSingleton<IBackupCloud>(_backups);
        Services.AddScoped<IActionExecutor>(sp => new BackupActionExecutor(memory, _backups, Sandbox, cron,
            new BackupRunEngine(memory, memory, Sandbox, _backups, memory, new BackupPlanner(cron), new SilentBackupNotifier(), Clock), Clock,
            launcher: Sandbox, planner: sp.GetRequiredService<LaunchPlanner>()));
        Services.AddScoped(sp => new BackupActions(memory, cron, sp.GetRequiredService<ActionPipeline>(), Clock, null, _backups, Sandbox)
        {
            RequireApprovalForRestores = RestoresNeedApproval,
        });
    }

    private bool RestoresNeedApproval { get; set; }

    [Fact]
    public async Task Open_FromABackupImage_PrefillsTheSourceInstancesChoicesAndTags()
    {
        var (source, image) = await BackupImageAsync();
        var page = Open(image);

        var form = page.Instance.Form;
        Assert.Equal((Account, EuWest, source.AvailabilityZone, source.InstanceType), (form.AccountId, form.Region, form.AvailabilityZone, form.InstanceType));
        Assert.Equal((source.SubnetId, source.KeyName, source.Name), (form.SubnetId, form.KeyName, form.Name));
        Assert.Equal(source.SecurityGroupIds.Order(StringComparer.Ordinal), form.SecurityGroupIds.Order(StringComparer.Ordinal));
        Assert.Equal(source.Volumes[0].SizeGiB, form.VolumeSizeGiB);
        Assert.Equal(source.ImdsV2Required ?? true, form.RequireImdsV2);
        Assert.Equal(source.Tags["team"], form.RequiredTags["team"]);
        Assert.Contains(form.ExtraTags, t => t.Key == "env" && t.Value == source.Tags["env"]);
        Assert.DoesNotContain(form.ExtraTags, t => t.Key.StartsWith("portalops:", StringComparison.Ordinal));
        Assert.Equal(image, page.Instance.Spec.Tags[RestoreLaunch.RestoredFromTag]);
        Assert.Contains(image, page.Find("[data-testid=restore-banner]").TextContent, StringComparison.Ordinal);
        Assert.True(page.Instance.Spec is { Count: 1 } spec && spec.ImageId == image);
    }

    [Fact]
    public async Task Image_IsLocked_AndAccountRegionAndCountCannotChange()
    {
        var (_, image) = await BackupImageAsync();
        var page = Open(image);
        var other = (await Sandbox.LatestAsync(new CloudScope(Account, EuWest)))[0].ImageId;

        await page.InvokeAsync(() => page.Instance.SetImageAsync(other));
        await page.InvokeAsync(() => page.Instance.SetRegionAsync("us-east-1"));
        await page.InvokeAsync(() => page.Instance.Set(LaunchFields.Count, f => f.Count = 5));

        Assert.Equal(image, page.Instance.Spec.ImageId);
        Assert.Equal((EuWest, 1), (page.Instance.Spec.Region, page.Instance.Spec.Count));
        Assert.True(page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Region").Instance.Disabled);
        GoTo(page, 2);
        Assert.NotEmpty(page.FindAll("[data-testid=launch-image-locked]"));
        Assert.Empty(page.FindAll("[data-testid=launch-image-search]"));
        Assert.True(page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "AMI id").Instance.Disabled);
        GoTo(page, 5);
        Assert.True(page.FindComponents<MudNumericField<int>>().Single(f => f.Instance.Label == "How many").Instance.Disabled);
        Assert.Contains($"portalops:restored-from={image}", page.Find("[data-testid=launch-restored-from-tag]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_PointOutsideThePersonsScope_ReadsAsMissing_AndShowsNoWizard()
    {
        var (source, image) = await BackupImageAsync();
        var nina = SignIn("nina", Role.Operator, Scope.Parse($"{Account}/{EuWest}/team=nobody"));
        var page = RenderRestore(image);

        page.WaitForAssertion(() => Assert.Contains("outside your scope", page.Find("[data-testid=restore-problem]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=launch-steps]"));
        Assert.DoesNotContain(source.Name, page.Markup, StringComparison.Ordinal);

        // Asked for directly, the pipeline refuses it too, and the refusal is audited.
        var actor = nina.AsActor(Domain.Common.Channel.Web);
        var spec = LaunchForm.From(new LaunchSpec { AccountId = Account, Region = EuWest, ImageId = image, InstanceType = "t3.micro", AvailabilityZone = "eu-west-1a" }, ["team"]).ToSpec();
        var result = await Services.GetRequiredService<BackupActions>().RestoreInstanceAsync(actor, spec with { Tags = new Dictionary<string, string> { ["team"] = "nobody" } }, "k-1");
        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("outside nina's scope", result.Message, StringComparison.Ordinal);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == ActionKind.RestoreInstance.Name && r.Event.Outcome == Domain.Audit.AuditOutcome.Denied);
    }

    [Fact]
    public async Task Open_ImageNotMadeByABackupPolicy_OrNotAvailable_IsRefusedWithTheReason()
    {
        var (source, _) = await BackupImageAsync();
        var handMade = (await _backups.CreateImageAsync(source.Ref, "hand-made", false, new Dictionary<string, string> { [BackupTags.Instance] = source.InstanceId })).ResourceIds[0];
        Clock.Advance(TimeSpan.FromHours(1));
        var pending = (await _backups.CreateImageAsync(source.Ref, "fresh", false, PolicyTags(source))).ResourceIds[0];

        var notOurs = Open(handMade, wait: false);
        notOurs.WaitForAssertion(() => Assert.Contains("was not made by a PortalOps backup policy", notOurs.Find("[data-testid=restore-problem]").TextContent, StringComparison.Ordinal));
        Assert.Empty(notOurs.FindAll("[data-testid=launch-steps]"));

        // The server refuses both as well, whatever the page showed.
        var actions = Services.GetRequiredService<BackupActions>();
        var actor = (await Users.FindByNameAsync("olga"))!.AsActor(Domain.Common.Channel.Web);
        var spec = new LaunchSpec { AccountId = Account, Region = EuWest, AvailabilityZone = source.AvailabilityZone, InstanceType = source.InstanceType, Tags = new Dictionary<string, string> { ["team"] = source.Tags["team"] } };
        var refused = await actions.RestoreInstanceAsync(actor, spec with { ImageId = handMade }, "k-1");
        var early = await actions.RestoreInstanceAsync(actor, spec with { ImageId = pending }, "k-2");
        var missing = await actions.RestoreInstanceAsync(actor, spec with { ImageId = "ami-0123456789abcdef0" }, "k-3");

        Assert.Equal(ActionStatus.Refused, refused.Status);
        Assert.Contains("was not made by a PortalOps backup policy", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ActionStatus.Refused, early.Status);
        Assert.Contains("still being made", early.Message, StringComparison.Ordinal);
        Assert.Equal(ActionStatus.NotFound, missing.Status);
        Assert.Empty(Approvals.All);
        Assert.DoesNotContain(await FleetAsync(EuWest), i => i.Tags.ContainsKey(RestoreLaunch.RestoredFromTag));
    }

    [Fact]
    public async Task Viewer_SeesTheRestoreButCannotSubmit()
    {
        var (_, image) = await BackupImageAsync();
        SignIn("vera", Role.Viewer);
        var page = RenderRestore(image);
        page.WaitForAssertion(() => Assert.NotNull(page.Instance.RestorePoint));
        GoTo(page, 6);

        page.WaitForAssertion(() => Assert.Contains("needs Operator", page.Find("[data-testid=launch-preview]").TextContent, StringComparison.Ordinal));
        Assert.True(page.Find("[data-testid=launch-submit]").HasAttribute("disabled"));
        await page.InvokeAsync(page.Instance.LaunchAsync);

        Assert.Equal(ActionStatus.Refused, page.Instance.Result?.Status);
        Assert.Empty(Approvals.All);
        Assert.DoesNotContain(await FleetAsync(EuWest), i => i.Tags.ContainsKey(RestoreLaunch.RestoredFromTag));
    }

    [Fact]
    public async Task BadValues_GetTheLaunchWizardsFieldMessages()
    {
        var (_, image) = await BackupImageAsync();
        var page = Open(image);

        await ChooseAsync(page, "Availability zone", "eu-west-1z");
        Next(page);
        Assert.Equal("eu-west-1z is not an availability zone of eu-west-1.", Error(page, LaunchFields.Zone));
        Assert.Equal(0, page.Instance.Step);

        await ChooseAsync(page, "Availability zone", "eu-west-1a");
        GoTo(page, 3);
        await ChooseAsync(page, "Key pair", "old-laptop");
        Assert.Equal("Key pair 'old-laptop' does not exist in eu-west-1; create or import it there first, or launch without one.", Error(page, LaunchFields.KeyPair));

        await ChooseAsync(page, "Key pair", "ops-2024");
        GoTo(page, 5);
        await TypeAsync(page, "team (required tag)", string.Empty);
        Next(page);
        Assert.NotNull(Error(page, LaunchFields.Tag("team")));
        Assert.Equal(5, page.Instance.Step);
    }

    [Fact]
    public async Task Submit_WithApproval_CreatesARestoreInstanceRequestCarryingTheChoices()
    {
        RestoresNeedApproval = true;
        var (source, image) = await BackupImageAsync();
        var page = Open(image);
        var subnet = page.Instance.Context.Subnets.First(s => s.AvailabilityZone == "eu-west-1b");

        await ChooseAsync(page, "Availability zone", "eu-west-1b");
        GoTo(page, 1);
        await ChooseAsync(page, "Instance type", "t3.small");
        GoTo(page, 3);
        await ChooseAsync(page, "Subnet", subnet.SubnetId);
        GoTo(page, 5);
        await TypeAsync(page, "Name", "web-restored");
        GoTo(page, 6);
        page.WaitForAssertion(() => Assert.Contains("waits for a second person's approval", page.Find("[data-testid=launch-preview]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(2));
        page.Find("[data-testid=launch-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(ActionStatus.PendingApproval, page.Instance.Result?.Status));
        var request = Assert.Single(Approvals.All);
        Assert.Equal(ActionKind.RestoreInstance.Name, request.KindName);
        Assert.Equal(new InstanceRef(Account, EuWest, image), Assert.Single(request.Targets).Ref);
        var asked = RestoreLaunch.ToSpec(request.Targets[0].Ref, request.Parameters);
        Assert.Equal(("t3.small", "eu-west-1b", subnet.SubnetId, "web-restored", 1), (asked.InstanceType, asked.AvailabilityZone, asked.SubnetId, asked.Name, asked.Count));
        Assert.Equal(source.Tags["team"], asked.Tags["team"]);
        Assert.Equal(image, asked.Tags[RestoreLaunch.RestoredFromTag]);
        Assert.Contains($"Restore an instance from {image} named web-restored: t3.small in {Account}/eu-west-1b, subnet {subnet.SubnetId}", request.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(await FleetAsync(EuWest), i => i.Tags.ContainsKey(RestoreLaunch.RestoredFromTag));
    }

    [Fact]
    public async Task Submit_WithoutApproval_LaunchesOneInstanceFromTheImageWithTheChoices()
    {
        var (source, image) = await BackupImageAsync();
        var page = Open(image);
        GoTo(page, 1);
        await ChooseAsync(page, "Instance type", "t3.small");
        GoTo(page, 6);
        page.Find("[data-testid=launch-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(ActionStatus.Executed, page.Instance.Result?.Status));
        var made = Assert.Single(page.Instance.Result!.Created);
        var restored = (await Sandbox.FindAsync(made))!;
        Assert.Equal((image, "t3.small", source.SubnetId, source.Name), (restored.ImageId, restored.InstanceType, restored.SubnetId, restored.Name));
        Assert.Equal(image, restored.Tags[RestoreLaunch.RestoredFromTag]);
        Assert.Equal(source.Tags["team"], restored.Tags["team"]);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == ActionKind.RestoreInstance.Name && r.Event.Outcome == Domain.Audit.AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task RecoveryPoints_AnImage_LinksToTheLaunchWizard_AndTheOldRestorePageSendsItThere()
    {
        var (_, image) = await BackupImageAsync();
        var point = (await _backups.FindAsync(new CloudScope(Account, EuWest), image))!;
        Assert.Equal($"/instances/launch?restoreFrom={Account}/{EuWest}/{image}", RecoveryPointsPanel.RestoreInstanceHref(point));

        SignIn("olga", Role.Operator);
        RenderPage<RestoreWizard>(p => p.Add(x => x.AccountId, Account).Add(x => x.Region, EuWest).Add(x => x.Id, image));
        var navigation = Services.GetRequiredService<NavigationManager>();
        Assert.EndsWith($"/instances/launch?restoreFrom={Account}/{EuWest}/{image}", navigation.Uri, StringComparison.Ordinal);
    }

    /// <summary>A running Linux instance with a key pair, imaged by a backup policy, the image complete.</summary>
    private async Task<(Instance Source, string ImageId)> BackupImageAsync()
    {
        var scope = new CloudScope(Account, EuWest);
        var candidates = (await FleetAsync(EuWest)).Where(i => i.State == InstanceState.Running && i.Platform == "Linux/UNIX" && i.KeyName is not null && !i.HibernationConfigured
            && i.SubnetId is not null && i.Tags.ContainsKey("team") && i.Tags.ContainsKey("env") && i.Volumes.Count > 0);
        Instance? source = null;
        foreach (var candidate in candidates)
        {
            if ((await Sandbox.OfferedInZoneAsync(scope, candidate.AvailabilityZone)).Any(t => t.InstanceType == candidate.InstanceType && t.Architecture == "x86_64"))
            {
                source = candidate;
                break;
            }
        }

        Assert.NotNull(source);
        var made = await _backups.CreateImageAsync(source.Ref, "web-backup", false, PolicyTags(source));
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(RecoveryPointState.Completed, (await _backups.FindAsync(scope, made.ResourceIds[0]))!.State);
        return (source, made.ResourceIds[0]);
    }

    private static Dictionary<string, string> PolicyTags(Instance source) => new(StringComparer.Ordinal)
    {
        [BackupTags.Policy] = Guid.NewGuid().ToString("N"),
        [BackupTags.Rule] = "daily",
        [BackupTags.Window] = "2026-11-25T02:00:00Z",
        [BackupTags.Instance] = source.InstanceId,
    };

    private IRenderedComponent<LaunchWizard> Open(string image, bool wait = true)
    {
        SignIn("olga", Role.Operator);
        var page = RenderRestore(image);
        if (wait)
        {
            page.WaitForAssertion(() => Assert.NotNull(page.Instance.Context.Image));
        }

        return page;
    }

    private IRenderedComponent<LaunchWizard> RenderRestore(string image)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/instances/launch?restoreFrom={Account}/{EuWest}/{image}");
        return RenderPage<LaunchWizard>();
    }

    private static void Next(IRenderedComponent<LaunchWizard> page) => page.Find("[data-testid=launch-next]").Click();

    private static void GoTo(IRenderedComponent<LaunchWizard> page, int step)
    {
        while (page.Instance.Step < step)
        {
            var before = page.Instance.Step;
            Next(page);
            Assert.True(page.Instance.Step > before, $"Step {before} did not pass: {page.Markup}");
        }
    }

    private static string? Error(IRenderedComponent<LaunchWizard> page, string field)
    {
        var id = $"error-{field.Replace(':', '-')}";
        return page.FindAll($"[data-testid='{id}']").SingleOrDefault()?.TextContent.Trim();
    }

    private static Task ChooseAsync(IRenderedComponent<LaunchWizard> page, string label, string value)
    {
        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label);
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    private static Task TypeAsync(IRenderedComponent<LaunchWizard> page, string label, string value)
    {
        var field = page.FindComponents<MudTextField<string>>().First(s => s.Instance.Label == label);
        return page.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(value));
    }
}
