using PortalOps.Domain.Backups;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class SnapshotRulesTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "eu-west-1");
    private static readonly Guid PolicyId = Guid.Parse("7a0c2f5e-1d2b-4c3a-9e8f-0123456789ab");

    private static BackupPolicy Policy(int keepCount = 7, int? keepDays = 30, bool enabled = true) =>
        BackupPolicy.FromStore(PolicyId, 1, Make.Now.AddDays(-400),
            new BackupPolicyDraft("daily", Make.ProdAccount, "eu-west-1", Make.Tags("Backup=daily"), [], [new BackupRule("nightly", "0 2 * * *", "UTC", keepCount, keepDays)], Enabled: enabled),
            Guid.NewGuid(), "olga", Make.Now.AddDays(-400));

    private static SnapshotInfo Snap(string id, int ageDays, bool managed = false, string volume = "vol-1", string? name = null, int size = 100, string state = "completed")
    {
        var tags = new Dictionary<string, string>();
        if (managed)
        {
            tags[BackupTags.Policy] = PolicyId.ToString();
            tags[BackupTags.Rule] = "nightly";
        }

        if (name is not null)
        {
            tags["Name"] = name;
        }

        return new SnapshotInfo(Scope, id, volume, size, state, Make.Now.AddDays(-ageDays), "", tags);
    }

    private static List<Recommendation> Run(IReadOnlyList<SnapshotInfo> snaps, IReadOnlyList<BackupPolicy> policies, params string[] behindImages) =>
        SnapshotRules.Evaluate(snaps, policies, behindImages.ToHashSet(), Make.Now, new SnapshotSettings()).ToList();

    [Fact]
    public void PolicySnapshot_BeyondKeepDays_IsOld_WithHighConfidence()
    {
        var r = Assert.Single(Run([Snap("snap-old", 40, managed: true), Snap("snap-new", 5, managed: true)], [Policy()]));

        Assert.Equal("snap-old", r.ResourceId);
        Assert.Equal(RecommendationKind.OldSnapshot, r.Kind);
        Assert.Equal(Confidence.High, r.Confidence);
        Assert.Equal(5.00m, r.MonthlySaving); // 100 GiB × 0.05
        Assert.Contains(r.Evidence, e => e.Contains("retention of 30 days", StringComparison.Ordinal));
        Assert.Equal(Domain.Actions.ActionKind.DeleteSnapshots, r.Action);
    }

    [Fact]
    public void PolicySnapshot_WithinRetentionAndGrace_IsKept() =>
        Assert.Empty(Run([Snap("snap-a", 31, managed: true)], [Policy()])); // 30 days + 2 days grace

    [Fact]
    public void PolicySnapshot_BeyondKeepCountPerVolume_IsOld()
    {
        var snaps = Enumerable.Range(1, 5).Select(d => Snap($"snap-{d}", d * 3, managed: true)).ToList();

        var found = Run(snaps, [Policy(keepCount: 3, keepDays: null)]);

        Assert.Equal(["snap-4", "snap-5"], found.Select(r => r.ResourceId).Order());
        Assert.All(found, r => Assert.Contains(r.Evidence, e => e.Contains("newest 3 per volume", StringComparison.Ordinal)));
    }

    [Fact]
    public void PolicySnapshot_OfADisabledPolicy_IsOldOnlyPastTheAgeLimit()
    {
        var found = Run([Snap("snap-100", 100, managed: true), Snap("snap-60", 60, managed: true)], [Policy(enabled: false)]);

        Assert.Equal("snap-100", Assert.Single(found).ResourceId);
    }

    [Fact]
    public void ManualSnapshot_OlderThanTheLongestPolicyRetention_IsOld_ButNamedOnesAreLowConfidence()
    {
        var found = Run([Snap("snap-m1", 45), Snap("snap-m2", 45, name: "keep-me?"), Snap("snap-m3", 20)], [Policy()]);

        Assert.Equal(["snap-m1", "snap-m2"], found.Select(r => r.ResourceId).Order());
        Assert.Equal(Confidence.Medium, found.Single(r => r.ResourceId == "snap-m1").Confidence);
        Assert.Equal(Confidence.Low, found.Single(r => r.ResourceId == "snap-m2").Confidence);
    }

    [Fact]
    public void ManualSnapshot_WithoutAnyPolicy_IsOldPastNinetyDays()
    {
        var found = Run([Snap("snap-200", 200), Snap("snap-80", 80)], []);

        var r = Assert.Single(found);
        Assert.Equal("snap-200", r.ResourceId);
        Assert.Contains(r.Evidence, e => e.Contains("no backup policy covers", StringComparison.Ordinal));
    }

    [Fact]
    public void SnapshotBehindAnImage_OrNotCompleted_IsNeverProposed() =>
        Assert.Empty(Run([Snap("snap-ami", 400), Snap("snap-pending", 400, state: "pending")], [], "snap-ami"));
}
