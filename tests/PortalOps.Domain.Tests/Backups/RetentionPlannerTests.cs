using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Backups;

public sealed class RetentionPlannerTests
{
    private static readonly Guid PolicyId = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 3, 0, 0, TimeSpan.Zero);
    private static readonly CloudScope Scope = new("123456789012", "eu-central-1");

    private static RecoveryPoint Point(string id, int daysAgo, string volume = "vol-1", RecoveryPointState state = RecoveryPointState.Completed, Guid? policy = null, string rule = "daily", bool copy = false)
    {
        var tags = new Dictionary<string, string>
        {
            [BackupTags.Policy] = (policy ?? PolicyId).ToString("N"),
            [BackupTags.Rule] = rule,
            [BackupTags.Instance] = "i-0123456789abcdef0",
        };
        if (copy)
        {
            tags[BackupTags.Copy] = "copy";
        }

        return new RecoveryPoint(Scope, id, RecoveryPointKind.Snapshot, state, Now.AddDays(-daysAgo), tags, volume);
    }

    private static List<string> Deleted(IEnumerable<RecoveryPoint> points, int keep, int? days, params string[] behind) =>
        RetentionPlanner.Plan(points, PolicyId, "daily", false, keep, days, behind.ToHashSet(), Now).Where(d => d.Delete).Select(d => d.Point.Id).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Plan_ByCount_DeletesAllButTheNewestPerVolume()
    {
        var points = Enumerable.Range(0, 5).Select(i => Point($"snap-a{i}", i)).Concat(Enumerable.Range(0, 2).Select(i => Point($"snap-b{i}", i, "vol-2")));

        Assert.Equal(["snap-a3", "snap-a4"], Deleted(points, 3, null));
    }

    [Fact]
    public void Plan_ByAge_DeletesOlderThanTheAgeEvenWithinTheCount()
    {
        var points = Enumerable.Range(0, 5).Select(i => Point($"snap-a{i}", i));

        Assert.Equal(["snap-a3", "snap-a4"], Deleted(points, 10, 2));
    }

    [Fact]
    public void Plan_EverythingExpired_KeepsTheLastGoodPoint()
    {
        var points = new[] { Point("snap-old", 40), Point("snap-older", 41), Point("snap-failed", 1, state: RecoveryPointState.Error), Point("snap-pending", 0, state: RecoveryPointState.Pending) };

        var decisions = RetentionPlanner.Plan(points, PolicyId, "daily", false, 1, 7, new HashSet<string>(), Now);

        Assert.Equal(["snap-older"], decisions.Where(d => d.Delete).Select(d => d.Point.Id));
        Assert.Contains(decisions, d => d.Point.Id == "snap-old" && !d.Delete && d.Reason.Contains("last good", StringComparison.Ordinal));
        Assert.DoesNotContain(decisions, d => d.Point.Id is "snap-failed" or "snap-pending");
    }

    [Fact]
    public void Plan_SnapshotBehindAnImage_IsKept()
    {
        var points = Enumerable.Range(0, 4).Select(i => Point($"snap-a{i}", i));

        Assert.Equal(["snap-a3"], Deleted(points, 2, null, "snap-a2"));
    }

    [Fact]
    public void Plan_OtherPolicyOtherRuleOrCopies_AreNeverTouched()
    {
        var points = new[]
        {
            Point("snap-mine-new", 0), Point("snap-mine-old", 9),
            Point("snap-other-policy", 20, policy: Guid.NewGuid()), Point("snap-other-rule", 20, rule: "hourly"), Point("snap-copy", 20, copy: true),
            new RecoveryPoint(Scope, "snap-hand-made", RecoveryPointKind.Snapshot, RecoveryPointState.Completed, Now.AddDays(-30), new Dictionary<string, string>(), "vol-1"),
        };

        Assert.Equal(["snap-mine-old"], Deleted(points, 1, null));
    }
}
