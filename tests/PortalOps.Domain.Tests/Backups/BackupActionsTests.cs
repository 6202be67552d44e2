using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Backups;

/// <summary>Policy saves, run-now and restores through the action pipeline: approval for creating or loosening, scope, bad input refused.</summary>
public sealed class BackupActionsTests
{
    private readonly FakeTimeProvider clock = new(Make.Now);
    private readonly InMemoryBackupPolicyStore policies = new();
    private readonly InMemoryBackupRunStore runs = new();
    private readonly FakeBackupCloud cloud = new();
    private readonly NeverCron cron = new();
    private readonly PipelineHarness h;
    private readonly BackupActions actions;

    public BackupActionsTests()
    {
        var inventory = new FakeInventory([PipelineHarness.Web1, PipelineHarness.Web2, PipelineHarness.DevDb]);
        var engine = new BackupRunEngine(policies, runs, inventory, cloud, new InMemoryProtectionStore(), new BackupPlanner(cron), new SilentBackupNotifier(), clock);
        h = new PipelineHarness(new ApprovalPolicy([], TimeSpan.FromHours(24)), [new BackupActionExecutor(policies, cloud, inventory, cron, engine, clock)]);
        actions = new BackupActions(policies, cron, h.Pipeline, clock);
    }

    private static BackupPolicyDraft Draft(int keep = 14) => new("prod-web", Make.ProdAccount, "eu-west-1", Make.Tags("env=prod"), [],
        [new BackupRule("daily", "0 2 * * *", "UTC", keep)], Copy: new DisasterRecoveryCopy("eu-central-1", null, 7));

    private async Task<BackupPolicy> CreateApprovedAsync()
    {
        var result = await actions.SavePolicyAsync(h.Operator.AsActor(Channel.Web), null, Draft(), "create-1");
        await h.Pipeline.ApproveAsync(h.Alice.AsActor(Channel.Web), result.ApprovalId!.Value, "ok");
        await h.Pipeline.ExecuteApprovedAsync(result.ApprovalId!.Value);
        return Assert.Single(await policies.ListAsync());
    }

    [Fact]
    public async Task SavePolicy_New_WaitsForApproval_AndIsSavedOnceWhenApproved()
    {
        var result = await actions.SavePolicyAsync(h.Operator.AsActor(Channel.Web), null, Draft(), "create-1");

        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.Contains(BackupActions.ApprovalRule, result.Message, StringComparison.Ordinal);
        Assert.Empty(await policies.ListAsync());

        await h.Pipeline.ApproveAsync(h.Alice.AsActor(Channel.Web), result.ApprovalId!.Value, "ok");
        var executed = await h.Pipeline.ExecuteApprovedAsync(result.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Executed, executed.Status);
        var saved = Assert.Single(await policies.ListAsync());
        Assert.Equal(1, saved.Version);
        Assert.Equal("olga", saved.UpdatedByName);
    }

    [Fact]
    public async Task SavePolicy_TighterEditRunsAtOnce_LooserEditWaitsWithTheReason()
    {
        var policy = await CreateApprovedAsync();

        var tighter = await actions.SavePolicyAsync(h.Operator.AsActor(Channel.Web), policy.Id, Draft(keep: 30), "edit-1");
        var looser = await actions.SavePolicyAsync(h.Operator.AsActor(Channel.Web), policy.Id, Draft(keep: 3), "edit-2");

        Assert.Equal(ActionStatus.Executed, tighter.Status);
        Assert.Equal(2, (await policies.FindAsync(policy.Id))!.Version);
        Assert.Equal(ActionStatus.PendingApproval, looser.Status);
        Assert.Contains(await h.Approvals.ListAsync(null, 100), a => a.Kind == ActionKind.LoosenBackupPolicy && a.Reason!.Contains("keeps less under rule daily", StringComparison.Ordinal));
        Assert.Equal(2, (await policies.FindAsync(policy.Id))!.Version);
    }

    [Fact]
    public async Task SavePolicy_BadDraft_IsRefusedPerFieldAndNothingIsSubmitted()
    {
        var bad = Draft() with { Copy = new DisasterRecoveryCopy("eu-west-1", null, 7), Rules = [new BackupRule("daily", "0 2 * * *", "UTC", 0)] };

        var error = await Assert.ThrowsAsync<BackupPolicyException>(() => actions.SavePolicyAsync(h.Operator.AsActor(Channel.Web), null, bad, "create-bad"));

        Assert.True(error.Problems.ContainsKey(BackupPolicyDraft.CopyRegionField));
        Assert.True(error.Problems.ContainsKey(BackupPolicyDraft.RuleField(0, "KeepCount")));
        Assert.Empty(await h.Approvals.ListAsync(null, 100));
    }

    [Fact]
    public async Task SavePolicy_ViewerOrOtherAccountOperator_IsDenied()
    {
        var viewer = await actions.SavePolicyAsync(h.Viewer.AsActor(Channel.Web), null, Draft(), "v");
        var devOperator = await actions.SavePolicyAsync(Make.Actor("dan", Role.Operator, $"{Make.DevAccount}/*") with { UserId = Guid.NewGuid() }, null, Draft(), "d");

        Assert.Equal(ActionStatus.Refused, viewer.Status);
        Assert.Equal(ActionStatus.Refused, devOperator.Status);
        Assert.Empty(await h.Approvals.ListAsync(null, 100));
    }

    [Fact]
    public async Task RunNow_StartsARunForThePolicysInstances()
    {
        var policy = await CreateApprovedAsync();

        var result = await actions.RunNowAsync(h.Operator.AsActor(Channel.Web), policy, "daily", "run-1");

        Assert.Equal(ActionStatus.Executed, result.Status);
        var run = (await runs.QueryAsync(new ReadScope([Scope.Everything]), new BackupRunQuery())).Items.Single();
        Assert.Equal(["i-0web1", "i-0web2"], run.Items.Select(i => i.Instance.InstanceId));
    }

    [Fact]
    public async Task RestoreVolume_ZoneOutsideTheRegion_IsRefused_GoodOneRestoresWithinScope()
    {
        var scope = new CloudScope(Make.ProdAccount, "eu-west-1");
        var tags = new Dictionary<string, string> { [BackupTags.Instance] = "i-0web1", [BackupTags.Window] = "2026-03-02T02:00:00Z", [BackupTags.Policy] = Guid.NewGuid().ToString("N"), [BackupTags.Rule] = "daily" };
        cloud.Points["snap-0123456789abcdef0"] = new RecoveryPoint(scope, "snap-0123456789abcdef0", RecoveryPointKind.Snapshot, RecoveryPointState.Completed, Make.Now, tags, "vol-1", 8);

        var wrongZone = await actions.RestoreVolumeAsync(h.Operator.AsActor(Channel.Web), scope, new VolumeRestore("snap-0123456789abcdef0", "us-east-1a", "gp3", 8, true), "r-0");
        var badType = await actions.RestoreVolumeAsync(h.Operator.AsActor(Channel.Web), scope, new VolumeRestore("snap-0123456789abcdef0", "eu-west-1a", "ssd", 8, true), "r-1");
        var otherScope = await actions.RestoreVolumeAsync(h.Carol.AsActor(Channel.Web), scope, new VolumeRestore("snap-0123456789abcdef0", "eu-west-1a", "gp3", 8, true), "r-2");
        var good = await actions.RestoreVolumeAsync(h.Operator.AsActor(Channel.Web), scope, new VolumeRestore("snap-0123456789abcdef0", "eu-west-1a", "gp3", 20, true, null, "i-0123456789abcdef0", "/dev/sdh"), "r-3");

        Assert.Equal(ActionStatus.Refused, wrongZone.Status);
        Assert.Contains("not in eu-west-1", wrongZone.Message, StringComparison.Ordinal);
        Assert.Equal(ActionStatus.Refused, badType.Status);
        Assert.Equal(ActionStatus.Refused, otherScope.Status);
        Assert.Equal(ActionStatus.Executed, good.Status);
        Assert.Contains("vol-restored", good.Message, StringComparison.Ordinal);
    }
}
