using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Backups;

public sealed class DisasterRecoveryTests
{
    private static readonly CloudScope Dr = new("123456789012", "eu-central-1");
    private static readonly DateTimeOffset Now = new(2026, 6, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Latest_TakesTheNewestWindowWhoseCopiesAllCompleted_WithTheSourceDevices()
    {
        var source = new Instance(new InstanceRef("123456789012", "eu-west-1", "i-0abc1234"), "web-1", "m5.large", InstanceState.Running, "eu-west-1a", "Linux/UNIX", Now,
            new Dictionary<string, string> { ["Name"] = "web-1", ["env"] = "prod" }, [new Volume("vol-root", 8, "gp3", true, "/dev/xvda"), new Volume("vol-data", 100, "gp3", true, "/dev/sdf")]);
        var copies = new List<RecoveryPoint>
        {
            Copy("snap-new-root", "2026-06-01T02:00:00Z", "vol-root", 8, RecoveryPointState.Completed),
            Copy("snap-new-data", "2026-06-01T02:00:00Z", "vol-data", 100, RecoveryPointState.Pending),
            Copy("snap-old-root", "2026-05-31T02:00:00Z", "vol-root", 8, RecoveryPointState.Completed),
            Copy("snap-old-data", "2026-05-31T02:00:00Z", "vol-data", 100, RecoveryPointState.Completed),
        };

        var plan = DrPlanner.Latest(copies, "i-0abc1234", source, null, null, null)!;

        Assert.Equal("2026-05-31T02:00:00Z", plan.Window);
        Assert.Equal("m5.large", plan.InstanceType);
        Assert.Equal("/dev/xvda", plan.RootDevice);
        Assert.Equal([("snap-old-data", "/dev/sdf"), ("snap-old-root", "/dev/xvda")], plan.Volumes.Select(v => (v.SnapshotId, v.DeviceName)).OrderBy(v => v.DeviceName));
        Assert.Equal("web-1-dr", plan.Tags["Name"]);
        Assert.DoesNotContain(plan.Tags.Keys, k => k.StartsWith("portalops:", StringComparison.Ordinal));
    }

    [Fact]
    public void Latest_NothingComplete_IsNull_AndAnImageCopyIsLaunchedAsItIs()
    {
        Assert.Null(DrPlanner.Latest([Copy("snap-1", "2026-06-01T02:00:00Z", "vol-root", 8, RecoveryPointState.Pending)], "i-0abc1234", null, null, null, null));

        var image = Copy("ami-1", "2026-06-01T02:00:00Z", null, 8, RecoveryPointState.Completed) with { Kind = RecoveryPointKind.Image };
        var plan = DrPlanner.Latest([image], "i-0abc1234", null, "t3.small", "subnet-1", null)!;

        Assert.Equal("ami-1", plan.ImageId);
        Assert.Empty(plan.Volumes);
        Assert.Equal(("t3.small", "subnet-1"), (plan.InstanceType, plan.SubnetId));
    }

    [Fact]
    public void Unprotected_IsTaggedAndSelectedByNoEnabledPolicy()
    {
        var actor = new PortalOps.Domain.Security.Actor(Guid.NewGuid(), "olga", PortalOps.Domain.Security.Role.Operator, [], PortalOps.Domain.Common.Channel.Web);
        var cron = new Fakes.NeverCron();
        var enabled = BackupPolicy.Create(new BackupPolicyDraft("web", "123456789012", "eu-west-1", new Dictionary<string, string> { ["env"] = "prod" }, [], [new BackupRule("daily", "0 2 * * *", "UTC", 7)]), cron, actor, Now);
        var disabled = BackupPolicy.Create(new BackupPolicyDraft("batch", "123456789012", "eu-west-1", new Dictionary<string, string> { ["env"] = "batch" }, [], [new BackupRule("daily", "0 2 * * *", "UTC", 7)], Enabled: false), cron, actor, Now);
        Instance Make(string id, params (string, string)[] tags) => new(new InstanceRef("123456789012", "eu-west-1", id), id, "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX", Now,
            tags.ToDictionary(t => t.Item1, t => t.Item2), []);

        var found = BackupCoverage.Unprotected(
            [Make("i-prod", ("env", "prod"), ("Backup", "daily")), Make("i-batch", ("env", "batch"), ("backup", "yes")), Make("i-none", ("Backup", "none")), Make("i-untagged")],
            [enabled, disabled]);

        var only = Assert.Single(found);
        Assert.Equal("i-batch", only.Instance.InstanceId);
        Assert.Contains("disabled policy batch", only.Reason, StringComparison.Ordinal);
    }

    private static RecoveryPoint Copy(string id, string window, string? volume, int size, RecoveryPointState state) =>
        new(Dr, id, RecoveryPointKind.Snapshot, state, DateTimeOffset.Parse(window, System.Globalization.CultureInfo.InvariantCulture),
            new Dictionary<string, string>
            {
                [BackupTags.Policy] = Guid.NewGuid().ToString("N"), [BackupTags.Instance] = "i-0abc1234", [BackupTags.Window] = window, [BackupTags.Copy] = "copy",
                ["Name"] = "web-1",
            }, volume, size);
}
