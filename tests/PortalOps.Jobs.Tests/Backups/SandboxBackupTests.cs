using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Backups;

/// <summary>The seeded Sandbox policy run by the engine over the simulated account: snapshots take time, the odd one fails and is made again.</summary>
public sealed class SandboxBackupTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 9, 50, 0, TimeSpan.Zero));
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateSqliteAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task SeededPolicy_RunsItsLatestWindow_SnapshotsTakeTime_FailuresAreRetried_CopiesLand()
    {
        using var sandbox = new SandboxCloud(Options.Create(new SandboxOptions()), clock, new FleetEvents());
        var options = Options.Create(new BackupsOptions { SandboxFailureRate = 0.3, RetryDelayMinutes = 1 });
        var cloud = new SandboxBackupCloud(sandbox, clock, options);
        var policies = new EfBackupPolicyStore(database.Contexts);
        var runs = new EfBackupRunStore(database.Contexts);
        var protection = new EfBackupProtectionStore(database.Contexts);
        await BackupsStart.SeedAsync(policies, new CronosSchedule(), clock, CancellationToken.None);
        await BackupsStart.SeedAsync(policies, new CronosSchedule(), clock, CancellationToken.None);
        var policy = Assert.Single(await policies.ListAsync());
        var engine = new BackupRunEngine(policies, runs, sandbox, cloud, protection, new BackupPlanner(new CronosSchedule()), new SilentBackupNotifier(), clock)
        {
            Settings = options.Value.Engine with { MaxAttempts = 10 },
        };

        var run = Assert.Single(await engine.StartDueAsync());
        Assert.Equal("hourly", run.RuleName);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero), run.WindowStart);
        var prod = (await sandbox.QueryAsync(new InstanceQuery { PageSize = InstanceQuery.MaxPageSize })).Items.Where(policy.Selects).ToList();
        Assert.NotEmpty(prod);
        Assert.Equal(prod.Count, run.Items.Count);
        var waiting = await protection.ListAsync(new ReadScope([Scope.Everything]));
        Assert.Equal(prod.Select(i => i.InstanceId).Order(), waiting.Select(r => r.Instance.InstanceId).Order());
        Assert.All(waiting, r => Assert.Equal(RpoStatus.Waiting, r.StatusAt(clock.GetUtcNow())));
        Assert.All(waiting, r => Assert.Equal(run.WindowStart, r.FirstAttemptAt));

        await engine.AdvanceAsync(run.Id);
        clock.Advance(TimeSpan.FromSeconds(10));
        await engine.AdvanceAsync(run.Id);
        var early = (await runs.FindAsync(run.Id))!;
        Assert.All(early.Items, i => Assert.Equal(BackupItemStatus.Creating, i.Status));

        for (var i = 0; i < 60 && !(await runs.FindAsync(run.Id))!.PruneDone; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await engine.AdvanceAsync(run.Id);
        }

        var done = (await runs.FindAsync(run.Id))!;
        Assert.Equal(BackupRunStatus.Succeeded, done.Status);
        Assert.Contains(done.Items, i => i.Attempts > 1 && i.Error is not null);
        var volumes = prod.Sum(i => i.Volumes.Count);
        Assert.Equal(volumes, (await cloud.RecoveryPointsAsync(policy.Scope, policy.Id, RecoveryPointKind.Snapshot)).Count);
        Assert.Equal(volumes, (await cloud.RecoveryPointsAsync(policy.CopyScope!, policy.Id, RecoveryPointKind.Snapshot)).Count(p => p.IsCopy));
        var rows = await protection.ListAsync(new ReadScope([Scope.Everything]));
        Assert.Equal(prod.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(RpoStatus.Met, r.StatusAt(clock.GetUtcNow())));
        Assert.Empty(await protection.ListAsync(new ReadScope([new Scope("999999999999", "*")])));
    }
}
