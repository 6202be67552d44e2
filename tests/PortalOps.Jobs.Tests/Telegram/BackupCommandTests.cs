using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// The bot's backup side against the loopback Bot API: <c>/backups</c> within the person's scope, <c>/restore</c> with a confirmation that
/// goes through the pipeline and waits for approval (once per button), and failures and missed RPOs told to owners, rolled up.
/// The Sandbox seeds the policy prod-daily (env=prod in eu-west-1, copied to us-east-1).
/// </summary>
public sealed class BackupCommandTests : IAsyncLifetime
{
    private readonly CompletedCopies _copies = new();
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync(services: s =>
    {
        s.AddSingleton<IRecoveryCloud>(_copies);
        s.AddBackups();
    });

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Backups_SummarizesWithinScope()
    {
        var everyone = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 31);
        var other = await _bot.LinkAsync(await _bot.AddUserAsync("usa", Role.Viewer, "000000000000/us-east-1"), 32);
        await WaitForSeedAsync();

        var mine = await _bot.AskAsync(everyone, "/backups", "Backups");
        var theirs = await _bot.AskAsync(other, "/backups", "Backups");

        Assert.Contains("1 policy", mine.Text, StringComparison.Ordinal);
        Assert.Contains("RPO:", mine.Text, StringComparison.Ordinal);
        Assert.Contains("0 policies", theirs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_AsksToConfirm_ThenWaitsForApproval_OncePerButton()
    {
        var olga = await _bot.AddUserAsync("olga", Role.Operator);
        var person = await _bot.LinkAsync(olga, 33);
        await WaitForSeedAsync();
        var instance = await ProdInstanceAsync();
        _copies.Add(instance);

        var confirm = await _bot.AskAsync(person, $"/restore {instance.InstanceId}", "Restore");
        Assert.Contains("us-east-1", confirm.Text, StringComparison.Ordinal);
        Assert.Contains("waits for an approver", confirm.Text, StringComparison.Ordinal);
        var yes = confirm.ButtonData("Yes, restore in us-east-1");

        var press = _bot.Api.PressRaw(person, confirm, yes);
        await _bot.Api.WaitUntilConsumedAsync(press);
        var edited = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == confirm.MessageId && m.Text.Contains("⏳", StringComparison.Ordinal), "the outcome");
        var again = _bot.Api.PressRaw(person, confirm, yes);
        await _bot.Api.WaitUntilConsumedAsync(again);

        Assert.Contains("Restore of " + instance.InstanceId, edited.Text, StringComparison.Ordinal);
        var pending = (await _bot.Services.GetRequiredService<IApprovalStore>().ListAsync(ApprovalStatus.Pending, 50))
            .Where(r => r.KindName == ActionKind.RestoreInDrRegion.Name).ToList();
        var request = Assert.Single(pending);
        Assert.Equal(olga.Id, request.RequestedBy);
        Assert.Empty(_copies.Launched);
    }

    [Fact]
    public async Task Restore_ViewerIsRefused_AndAnInstanceOutsideScopeReadsAsMissing()
    {
        var viewer = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 34);
        var outsider = await _bot.LinkAsync(await _bot.AddUserAsync("usa", Role.Operator, "000000000000/us-east-1"), 35);
        await WaitForSeedAsync();
        var instance = await ProdInstanceAsync();
        _copies.Add(instance);

        var refused = await _bot.AskAsync(viewer, $"/restore {instance.InstanceId}", "Only Operators restore");
        var missing = await _bot.AskAsync(outsider, $"/restore {instance.InstanceId}", "No instance is called");

        Assert.Empty(refused.AllButtons);
        Assert.Empty(missing.AllButtons);
        Assert.Contains(await _bot.AuditAsync("telegram.restore.view"), r => r.Event.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public async Task FailuresAndMissedRpos_AreToldToOwnersInScope_RolledUp_AndAMissOnce()
    {
        var owner = await _bot.LinkAsync(await _bot.AddUserAsync("otto", Role.Operator, "000000000000/eu-west-1"), 36);
        var other = await _bot.LinkAsync(await _bot.AddUserAsync("usa", Role.Operator, "000000000000/us-east-1"), 37);
        var policy = await WaitForSeedAsync();
        var fleet = (await _bot.Cloud.QueryAsync(new InstanceQuery { Tag = "env=prod", Region = "eu-west-1", PageSize = 500 })).Items
            .Where(i => i.State != InstanceState.Terminated).Take(2).ToList();
        Assert.Equal(2, fleet.Count);
        var now = _bot.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var run = BackupRun.Plan(policy, new BackupWindow(policy.Id, "hourly", now.AddHours(-3)), fleet, now.AddHours(-3));
        foreach (var item in run.Items.ToList())
        {
            run.Update(item with { Status = BackupItemStatus.Failed, Error = "SnapshotLimitExceeded (request id r-1)" });
        }

        run.TryFinish(now);
        var notifier = _bot.Services.GetRequiredService<IBackupNotifier>();
        Assert.IsType<BackupNotifications>(notifier);

        await notifier.RunFinishedAsync(run);
        var failed = await _bot.Api.WaitForMessageAsync(owner.Id, m => m.Text.Contains("2 instance(s) failed", StringComparison.Ordinal), "the failure roll-up");
        Assert.Contains("SnapshotLimitExceeded", failed.Text, StringComparison.Ordinal);

        await _bot.Services.GetRequiredService<IBackupProtectionStore>().RecordAsync(run, policy);
        var told = await ((BackupNotifications)notifier).NotifyMissedAsync();
        Assert.Equal(2, told);
        var missed = await _bot.Api.WaitForMessageAsync(owner.Id, m => m.Text.Contains("2 instance(s) missed their RPO", StringComparison.Ordinal), "the RPO roll-up");
        Assert.Contains(fleet[0].InstanceId, missed.Text, StringComparison.Ordinal);
        Assert.Equal(0, await ((BackupNotifications)notifier).NotifyMissedAsync());

        await Task.Delay(500);
        Assert.DoesNotContain(_bot.Api.MessagesIn(other.Id), m => m.Text.Contains("failed", StringComparison.Ordinal) || m.Text.Contains("RPO", StringComparison.Ordinal));
        Assert.Single(_bot.Api.MessagesIn(owner.Id), m => m.Text.Contains("missed their RPO", StringComparison.Ordinal));
    }

    private async Task<BackupPolicy> WaitForSeedAsync()
    {
        var store = _bot.Services.GetRequiredService<IBackupPolicyStore>();
        for (var i = 0; i < 50; i++)
        {
            if ((await store.ListAsync()).FirstOrDefault() is { } seeded)
            {
                return seeded;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The Sandbox policy was not seeded.");
    }

    private async Task<Instance> ProdInstanceAsync() =>
        (await _bot.Cloud.QueryAsync(new InstanceQuery { Tag = "env=prod", Region = "eu-west-1", PageSize = 500 })).Items.First(i => i.State == InstanceState.Running);

    /// <summary>Every instance added has one completed image copy in us-east-1; launches are recorded (none should happen before approval).</summary>
    private sealed class CompletedCopies : IRecoveryCloud
    {
        private readonly List<RecoveryPoint> _points = [];

        public List<DrInstanceRestore> Launched { get; } = [];

        public void Add(Instance instance)
        {
            lock (_points)
            {
                _points.Add(new RecoveryPoint(new CloudScope(SandboxFleet.AccountId, "us-east-1"), "ami-0123456789abcdef0", RecoveryPointKind.Image, RecoveryPointState.Completed,
                    DateTimeOffset.UtcNow.AddHours(-1), new Dictionary<string, string>
                    {
                        [BackupTags.Policy] = Guid.NewGuid().ToString("N"), [BackupTags.Instance] = instance.InstanceId, [BackupTags.Window] = "2026-06-01T02:00:00Z",
                        [BackupTags.Copy] = "copy", [BackupTags.Rule] = "daily",
                    }));
            }
        }

        public Task<IReadOnlyList<RecoveryPoint>> InstancePointsAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default)
        {
            lock (_points)
            {
                return Task.FromResult<IReadOnlyList<RecoveryPoint>>(_points.Where(p => p.Scope == scope && p.InstanceId == instanceId).ToList());
            }
        }

        public Task<DrLaunch> LaunchAsync(CloudScope scope, DrInstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default)
        {
            Launched.Add(restore);
            return Task.FromResult(new DrLaunch("i-0aaaaaaaaaaaaaaaa", null, "r-1"));
        }

        public Task<InstanceHealth> HealthAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default) =>
            Task.FromResult(new InstanceHealth(InstanceState.Running, true));

        public Task CleanUpAsync(CloudScope scope, string instanceId, string? registeredImageId, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
