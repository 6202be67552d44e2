using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Backups;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Backups;

/// <summary>
/// The policy editor, recovery points, the restore wizard, DR drills and unprotected instances: each as a permitted person and as one of
/// another scope (or a lesser role), with every change through the action pipeline and bad input refused beside its field.
/// </summary>
public sealed class BackupPagesTests : PortalTestContext
{
    private const string Prod = "123456789012";
    private const string Dev = "210987654321";
    private readonly BackupMemory _memory = new();
    private readonly RecordingExecutor _executor;
    private readonly BackupPolicy _policy;
    private readonly Instance _web;
    private readonly Instance[] _fleet;

    public BackupPagesTests()
    {
        var admin = new Actor(Guid.NewGuid(), "ada", Role.Admin, [Scope.Parse("*/*")], Channel.Web);
        _policy = BackupPolicy.Create(
            new BackupPolicyDraft("prod-daily", Prod, "eu-west-1", new Dictionary<string, string> { ["env"] = "prod" }, [],
                [new BackupRule("daily", "0 2 * * *", "UTC", 7, 30)], Copy: new DisasterRecoveryCopy("eu-central-1", null, 7), RpoHours: 26),
            new TestCron(), admin, Start.AddDays(-3));
        _memory.Policies.Add(_policy);
        _web = new Instance(new InstanceRef(Prod, "eu-west-1", "i-0abc1234"), "web-prod-1", "t3.large", InstanceState.Running, "eu-west-1b", "Linux/UNIX",
            Start.AddDays(-10), new Dictionary<string, string> { ["env"] = "prod", ["Backup"] = "daily" }, [new Volume("vol-1", 8, "gp3", true, "/dev/xvda")]);
        var stray = new Instance(new InstanceRef(Prod, "eu-west-1", "i-0def5678"), "batch-1", "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX",
            Start.AddDays(-10), new Dictionary<string, string> { ["env"] = "batch", ["Backup"] = "yes" }, []);
        var optedOut = new Instance(new InstanceRef(Prod, "eu-west-1", "i-0aaa0000"), "scratch-1", "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX",
            Start.AddDays(-10), new Dictionary<string, string> { ["Backup"] = "none" }, []);
        _fleet = [_web, stray, optedOut];
        Inventory.Add(_fleet);
        _memory.AddPoint(new CloudScope(Prod, "eu-west-1"), "snap-0aaaaaaaaaaaaaaa1", RecoveryPointKind.Snapshot, _web.InstanceId, "2026-11-25T02:00:00Z", copy: false, volume: "vol-1");
        _memory.AddPoint(new CloudScope(Prod, "eu-central-1"), "snap-0bbbbbbbbbbbbbbb2", RecoveryPointKind.Snapshot, _web.InstanceId, "2026-11-25T02:00:00Z", copy: true, volume: "vol-1");
        _memory.Protected.Add(new ProtectedInstance(_policy.Id, _policy.Name, _web.Ref, _web.Name, _policy.Rpo, true, Start.AddHours(-7), Start.AddHours(-6),
            Start.AddDays(-3), Start.AddHours(-7), null, _web.Tags));

        _executor = new RecordingExecutor(_memory, Inventory);
        Services.AddSingleton<IBackupPolicyStore>(_memory);
        Services.AddSingleton<IBackupRunStore>(_memory);
        Services.AddSingleton<IBackupProtectionStore>(_memory);
        Services.AddSingleton<IBackupDrillStore>(_memory);
        Services.AddSingleton<IBackupCloud>(_memory);
        Services.AddSingleton<IRecoveryCloud>(_memory);
        Services.AddSingleton<IKmsKeys>(_memory);
        Services.AddSingleton<ICronSchedule>(new TestCron());
        Services.AddScoped(sp => new DrillEngine(_memory, _memory, _memory, Inventory, Clock));
        Services.AddScoped<IActionExecutor>(_ => _executor);
        Services.AddScoped(sp => new BackupActions(sp.GetRequiredService<IBackupPolicyStore>(), sp.GetRequiredService<ICronSchedule>(),
            sp.GetRequiredService<ActionPipeline>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IKmsKeys>()) { RequireApprovalForRestores = RestoresNeedApproval });
    }

    private bool RestoresNeedApproval { get; set; }

    [Fact]
    public void PolicyEditor_BadInput_ShowsEachReasonBesideItsField_AndSubmitsNothing()
    {
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<PolicyEditor>();

        page.Find("input[data-testid=policy-name]").Input("web-nightly");
        page.Find("input[data-testid=policy-account]").Change(Prod);
        page.Find("input[data-testid=policy-region]").Change("eu-west-1");
        page.Find("input[data-testid=policy-tags]").Change("env=web");
        page.Find("input[data-testid=rule-cron]").Change("0 0 30 2 *");
        page.Find("input[data-testid=rule-keep]").Change("0");
        page.FindComponents<MudBlazor.MudSwitch<bool>>().Single(s => s.Instance.Label == "Copy every point to a DR region").Find("input").Change(true);
        page.Find("input[data-testid=copy-region]").Change("eu-west-1");
        page.Find("[data-testid=policy-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("never fires", page.Markup, StringComparison.Ordinal));
        Assert.Contains("retention 0", page.Markup, StringComparison.Ordinal);
        Assert.Contains("must differ from the source region", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Not saved", page.Find("[data-testid=policy-result]").TextContent, StringComparison.Ordinal);
        Assert.Empty(_executor.Calls);
        Assert.Empty(AuditLog.Records);

        // The region fixed, an unusable key is refused beside its field after KMS was asked in the DR region.
        page.Find("input[data-testid=rule-cron]").Change("0 2 * * *");
        page.Find("input[data-testid=rule-keep]").Change("14");
        page.Find("input[data-testid=copy-region]").Change("eu-central-1");
        page.Find("input[data-testid=copy-kms]").Change("alias/nobody-made-this");
        page.Find("[data-testid=policy-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("does not exist in eu-central-1", page.Markup, StringComparison.Ordinal));
        Assert.Equal([new CloudScope(Prod, "eu-central-1")], _memory.KeyChecks.Select(k => k.Scope).Distinct());
        Assert.Empty(_executor.Calls);

        page.Find("input[data-testid=copy-kms]").Change("alias/backups-dr");
        page.Find("[data-testid=policy-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("Waiting for approval", page.Find("[data-testid=policy-result]").TextContent, StringComparison.Ordinal));
        var request = Assert.Single(Approvals.All);
        Assert.Equal(ActionKind.CreateBackupPolicy.Name, request.KindName);
    }

    [Fact]
    public void PolicyEditor_TighterEdit_RunsAtOnce()
    {
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<PolicyEditor>(p => p.Add(x => x.PolicyId, _policy.Id));
        page.WaitForAssertion(() => Assert.Equal("prod-daily", page.Find("input[data-testid=policy-name]").GetAttribute("value")));

        page.Find("input[data-testid=rule-keep]").Change("10");
        page.Find("[data-testid=policy-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("Saved", page.Find("[data-testid=policy-result]").TextContent, StringComparison.Ordinal));
        Assert.Equal(ActionKind.EditBackupPolicy.Name, Assert.Single(_executor.Calls).Kind.Name);

    }

    [Fact]
    public void PolicyEditor_PolicyOfAnotherScope_ReadsAsMissing()
    {
        SignIn("oscar", Role.Operator, Scope.Parse($"{Dev}/*"));
        var other = RenderPage<PolicyEditor>(p => p.Add(x => x.PolicyId, _policy.Id));
        other.WaitForAssertion(() => Assert.Contains("outside your scope", other.Find("[data-testid=policy-missing]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("prod-daily", other.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void RecoveryPoints_ViewerSeesSourceAndDrCopy_WithoutRestore()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<InstanceRecoveryPage>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.InstanceId, _web.InstanceId));
        page.WaitForAssertion(() => Assert.Contains("snap-0bbbbbbbbbbbbbbb2", page.Find("[data-testid=recovery-point-table]").TextContent, StringComparison.Ordinal));
        Assert.Contains("snap-0aaaaaaaaaaaaaaa1", page.Markup, StringComparison.Ordinal);
        Assert.Contains("(DR copy)", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=restore-point]"));
        Assert.Empty(page.FindAll("[data-testid=restore-dr]"));

    }

    [Fact]
    public void RecoveryPoints_Operator_GetsRestoreLinks()
    {
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var operatorPage = RenderPage<InstanceRecoveryPage>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.InstanceId, _web.InstanceId));
        operatorPage.WaitForAssertion(() => Assert.Equal(2, operatorPage.FindAll("[data-testid=restore-point]").Count));
        Assert.Single(operatorPage.FindAll("[data-testid=restore-dr]"));
    }

    [Fact]
    public void RecoveryPoints_ViewerOfAnotherScope_SeesNothing()
    {
        SignIn("vince", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var other = RenderPage<InstanceRecoveryPage>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.InstanceId, _web.InstanceId));
        other.WaitForAssertion(() => Assert.NotEmpty(other.FindAll("[data-testid=instance-not-found]")));
        Assert.DoesNotContain("snap-", other.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreWizard_Volume_GoesThroughThePipeline_WithTheChosenZoneTypeSizeAndAttachment()
    {
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<RestoreWizard>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.Id, "snap-0aaaaaaaaaaaaaaa1"));
        page.WaitForAssertion(() => Assert.Equal("eu-west-1b", page.Find("input[data-testid=restore-zone]").GetAttribute("value")));

        page.Find("input[data-testid=restore-size]").Change("20");
        page.FindComponents<MudBlazor.MudSwitch<bool>>().Single(s => s.Instance.Label == "Attach to an instance").Find("input").Change(true);
        page.Find("input[data-testid=restore-device]").Change("/dev/sdh");
        page.Find("[data-testid=restore-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("Done", page.Find("[data-testid=restore-result]").TextContent, StringComparison.Ordinal));
        var call = Assert.Single(_executor.Calls);
        Assert.Equal(ActionKind.RestoreVolume, call.Kind);
        var restore = System.Text.Json.JsonSerializer.Deserialize<VolumeRestore>(call.Parameters[BackupActions.RestoreParameter], new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.Equal(("eu-west-1b", "gp3", 20, true, _web.InstanceId, "/dev/sdh"), (restore.AvailabilityZone, restore.VolumeType, restore.SizeGiB!.Value, restore.Encrypted, restore.AttachToInstanceId, restore.Device));
        Assert.Contains(AuditLog.Records, r => r.Event.Action == ActionKind.RestoreVolume.Name && r.Event.ActorName == "otto");
    }

    [Fact]
    public void RestoreWizard_ZoneOutsideTheRegion_IsRefusedWithTheReason_AndNothingIsSubmitted()
    {
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<RestoreWizard>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.Id, "snap-0aaaaaaaaaaaaaaa1"));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("input[data-testid=restore-zone]")));

        page.Find("input[data-testid=restore-zone]").Change("us-east-1a");
        page.Find("[data-testid=restore-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("is not in eu-west-1", page.Find("[data-testid=restore-result]").TextContent, StringComparison.Ordinal));
        Assert.Empty(_executor.Calls);
    }

    [Fact]
    public void RestoreWizard_WholeInstanceInDrRegion_ShowsTheLatestCopies_AndWaitsForApproval()
    {
        RestoresNeedApproval = true;
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<RestoreWizard>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.Id, _web.InstanceId));
        page.WaitForAssertion(() => Assert.Contains("2026-11-25T02:00:00Z in eu-central-1", page.Find("[data-testid=restore-dr-plan]").TextContent, StringComparison.Ordinal));
        Assert.Equal("t3.large", page.Find("input[data-testid=restore-instance-type]").GetAttribute("value"));

        page.Find("[data-testid=restore-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("Waiting for approval", page.Find("[data-testid=restore-result]").TextContent, StringComparison.Ordinal));
        Assert.Equal(ActionKind.RestoreInDrRegion.Name, Assert.Single(Approvals.All).KindName);
        Assert.Empty(_executor.Calls);

    }

    [Fact]
    public void RestoreWizard_InstanceOfAnotherScope_ReadsAsMissing()
    {
        SignIn("oscar", Role.Operator, Scope.Parse($"{Dev}/*"));
        var other = RenderPage<RestoreWizard>(p => p.Add(x => x.AccountId, Prod).Add(x => x.Region, "eu-west-1").Add(x => x.Id, _web.InstanceId));
        other.WaitForAssertion(() => Assert.NotEmpty(other.FindAll("[data-testid=restore-missing]")));
    }

    [Fact]
    public async Task Drills_OperatorStartsOne_ThroughThePipeline_AndHistoryShowsTheRto()
    {
        AddFinishedDrill();

        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();
        page.WaitForAssertion(() => Assert.Contains("7.5 min", page.Find("[data-testid=drill-rto]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Passed", page.Find("[data-testid=drill-status]").TextContent, StringComparison.Ordinal);

        var select = page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => s.Instance.Label == "Instances to restore in their DR region");
        await page.InvokeAsync(() => select.Instance.SelectedValuesChanged.InvokeAsync(new List<string> { _web.Ref.ToString() }));
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=drill-start]").HasAttribute("disabled")));
        page.Find("[data-testid=drill-start]").Click();

        page.WaitForAssertion(() => Assert.Single(_executor.Calls));
        Assert.Equal(ActionKind.RunDrDrill, _executor.Calls[0].Kind);
        Assert.Equal([_web.Ref], _executor.Calls[0].Targets);
    }

    [Fact]
    public void Drills_ViewerOfAnotherScope_SeesNoDrillAndCannotStartOne()
    {
        AddFinishedDrill();
        SignIn("vince", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var other = RenderPage<BackupsPage>();
        other.WaitForAssertion(() => Assert.Contains("No DR drill yet", other.Find("[data-testid=drill-table]").TextContent, StringComparison.Ordinal));
        Assert.Empty(other.FindAll("[data-testid=drill-start]"));
    }

    [Fact]
    public void Unprotected_ListsTaggedInstancesNoPolicySelects_InScope_WithCsv()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();
        page.WaitForAssertion(() => Assert.Contains("batch-1", page.Find("[data-testid=unprotected-table]").TextContent, StringComparison.Ordinal));
        var rows = page.Find("[data-testid=unprotected-table]").TextContent;
        Assert.DoesNotContain("web-prod-1", rows, StringComparison.Ordinal);
        Assert.DoesNotContain("scratch-1", rows, StringComparison.Ordinal);

        var csv = PortalOps.Web.Endpoints.BackupsExport.UnprotectedCsv(BackupCoverage.Unprotected(_fleet, [_policy]));
        Assert.Contains("i-0def5678,batch-1,Running,Backup,yes,", csv, StringComparison.Ordinal);
        Assert.Equal(2, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

    }

    [Fact]
    public void Unprotected_ViewerOfAnotherScope_SeesNone()
    {
        SignIn("vince", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var other = RenderPage<BackupsPage>();
        other.WaitForAssertion(() => Assert.Contains("Every instance whose tags ask for backups is protected", other.Find("[data-testid=unprotected-table]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Runs_ArePagedAndSearchedInTheStore()
    {
        _memory.Runs.Add(BackupRun.Plan(_policy, new BackupWindow(_policy.Id, "daily", Start.AddHours(-7)), [_web], Start.AddHours(-7)));
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();
        page.WaitForAssertion(() => Assert.Contains("Running", page.Find("[data-testid=run-table]").TextContent, StringComparison.Ordinal));

        page.Find("input[data-testid=backups-filter]").Input("prod-daily");

        page.WaitForAssertion(() => Assert.Equal("prod-daily", _memory.RunQueries[^1].Search));
        Assert.All(_memory.RunQueries, q => Assert.True(q.PageSize <= 200));
    }

    private void AddFinishedDrill()
    {
        var drill = BackupDrill.Start(Guid.NewGuid(), new Actor(Guid.NewGuid(), "ada", Role.Admin, [], Channel.Web),
            [new DrillItem(_web.Ref, _web.Name, _web.Tags, Prod, "eu-central-1") { Status = DrillItemStatus.Recovered, Rto = TimeSpan.FromMinutes(7.5), CleanedUp = true }],
            null, TimeSpan.FromMinutes(30), Start.AddHours(-1));
        drill.TryFinish(Start.AddMinutes(-50));
        _memory.Drills.Add(drill);
    }

    private sealed class TestCron : ICronSchedule
    {
        public string? CronProblem(string cron, string timeZone) => cron == "0 0 30 2 *" ? "This schedule never fires (30 February)." : null;

        public string? TimeZoneProblem(string timeZone) => null;

        public IEnumerable<DateTimeOffset> Occurrences(string cron, string timeZone, DateTimeOffset fromExclusive, DateTimeOffset toInclusive) => [];
    }

    private sealed class RecordingExecutor(BackupMemory memory, FakeInventory inventory) : IActionExecutor
    {
        public List<(ActionKind Kind, IReadOnlyList<InstanceRef> Targets, IReadOnlyDictionary<string, string> Parameters)> Calls { get; } = [];

        public bool CanExecute(ActionKind kind) => kind.Name.StartsWith("backups.", StringComparison.Ordinal);

        public Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
        {
            Calls.Add((kind, targets.Select(t => t.Ref).ToList(), parameters));
            return Task.FromResult(new ActionExecution(true, $"{kind.Verb} done.", "r-1"));
        }

        public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
        {
            if (kind.Target == ActionTarget.BackupPolicies)
            {
                var policy = memory.Policies.FirstOrDefault(p => p.Id.ToString("N") == target.InstanceId);
                return policy is null ? new ResolvedTarget(target, "new backup policy", new Dictionary<string, string>()) : new ResolvedTarget(target, policy.Name, policy.Content.SelectorTags);
            }

            if (target.InstanceId.StartsWith("i-", StringComparison.Ordinal))
            {
                return await inventory.FindAsync(target, cancellationToken) is { } found ? new ResolvedTarget(target, found.Name, found.Tags) : null;
            }

            var point = await memory.FindAsync(new CloudScope(target.AccountId, target.Region), target.InstanceId, cancellationToken);
            return point is null ? null : new ResolvedTarget(target, point.Id, point.Tags);
        }
    }
}
