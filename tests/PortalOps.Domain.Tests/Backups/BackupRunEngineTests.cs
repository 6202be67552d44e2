using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Backups;

public sealed class BackupRunEngineTests
{
    private readonly FakeTimeProvider clock = new(Make.Now);
    private readonly InMemoryBackupPolicyStore policies = new();
    private readonly InMemoryBackupRunStore runs = new();
    private readonly InMemoryProtectionStore protection = new();
    private readonly FakeBackupCloud cloud = new();
    private readonly FakeInventory inventory = new(
    [
        Make.Instance("i-0000000000000000a", tags: ["Backup=daily"]),
        Make.Instance("i-0000000000000000b", tags: ["Backup=daily"]),
        Make.Instance("i-0000000000000000c", tags: ["Backup=none"]),
    ]);

    private BackupRunEngine Engine(int maxAttempts = 3) => new(policies, runs, inventory, cloud, protection, new BackupPlanner(new NeverCron()), new SilentBackupNotifier(), clock)
    {
        Settings = new BackupEngineSettings { MaxAttempts = maxAttempts, RetryDelay = TimeSpan.FromMinutes(2) },
    };

    private async Task<BackupPolicy> PolicyAsync(bool copy = true)
    {
        var draft = new BackupPolicyDraft("web", Make.ProdAccount, "eu-west-1", Make.Tags("Backup=daily"), [], [new BackupRule("daily", "0 2 * * *", "UTC", 3)],
            Copy: copy ? new DisasterRecoveryCopy("eu-central-1", null, 3) : null);
        var policy = BackupPolicy.Create(draft, new NeverCron(), Make.Actor("olga", Role.Operator, Scope.Everything), clock.GetUtcNow());
        await policies.AddVersionAsync(policy);
        return policy;
    }

    private async Task<BackupRun> FinishAsync(BackupRunEngine engine, Guid id)
    {
        for (var i = 0; i < 40; i++)
        {
            await engine.AdvanceAsync(id);
            var run = (await runs.FindAsync(id))!;
            if (run.IsFinished && run.PruneDone)
            {
                return run;
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }

        throw new Xunit.Sdk.XunitException("The run did not finish.");
    }

    [Fact]
    public async Task Advance_SnapshotsComeOutInError_RemovedRetriedAndReported_NothingDuplicated()
    {
        var policy = await PolicyAsync();
        cloud.FailStates["i-0000000000000000a"] = 1;
        cloud.PendingSteps = 2;
        var engine = Engine();

        var run = await engine.StartNowAsync(policy, "daily");
        var done = await FinishAsync(engine, run.Id);

        Assert.Equal(BackupRunStatus.Succeeded, done.Status);
        var a = done.Items.Single(i => i.Instance.InstanceId == "i-0000000000000000a");
        Assert.Equal(2, a.Attempts);
        Assert.Contains("failed: Internal error creating the snapshot.", a.Error, StringComparison.Ordinal);
        Assert.Equal(3, cloud.CreateCalls);
        Assert.Equal(2, cloud.Deleted.Count);
        Assert.Equal(4, cloud.Points.Values.Count(p => !p.IsCopy));
        Assert.Equal(4, cloud.Points.Values.Count(p => p.IsCopy));
        Assert.All(protection.Recorded, r => Assert.Equal(done.Id, r.Id));
        Assert.Equal([false, true], protection.Recorded.Select(r => r.IsFinished));
    }

    [Fact]
    public async Task Advance_SnapshotsFailEveryTime_InstanceFailsAfterMaxAttempts_OthersSucceed()
    {
        var policy = await PolicyAsync(copy: false);
        cloud.FailStates["i-0000000000000000b"] = 99;
        var engine = Engine(maxAttempts: 2);

        var run = await engine.StartNowAsync(policy, "daily");
        var done = await FinishAsync(engine, run.Id);

        Assert.Equal(BackupRunStatus.PartlyFailed, done.Status);
        var b = done.Items.Single(i => i.Instance.InstanceId == "i-0000000000000000b");
        Assert.Equal(BackupItemStatus.Failed, b.Status);
        Assert.Contains("after 2 attempt(s)", b.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(cloud.Points.Values, p => p.InstanceId == "i-0000000000000000b");
    }

    [Fact]
    public async Task Advance_TwoWorkersAtOnce_OnlyOneCreates()
    {
        var policy = await PolicyAsync(copy: false);
        var run = await Engine().StartNowAsync(policy, "daily");

        await Task.WhenAll(Engine().AdvanceAsync(run.Id), Engine().AdvanceAsync(run.Id), Engine().AdvanceAsync(run.Id));

        Assert.Equal(2, cloud.CreateCalls);
    }

    [Fact]
    public async Task StartNow_SelectsOnlyTheTaggedInstances_AndDueWindowsAreStartedOnce()
    {
        var policy = await PolicyAsync();

        var run = await Engine().StartNowAsync(policy, "daily");

        Assert.Equal(["i-0000000000000000a", "i-0000000000000000b"], run.Items.Select(i => i.Instance.InstanceId));
        Assert.False(await runs.TryAddAsync(BackupRun.Plan(policy, run.Window, [], clock.GetUtcNow())));
    }
}
