using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using static PortalOps.Domain.Tests.Compliance.Resources;

namespace PortalOps.Domain.Tests.Compliance;

public sealed class FindingLifecycleTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));

    private EvaluationResult Scan(params ComplianceResource[] volumes) =>
        PolicyEvaluator.Evaluate([Unencrypted], new ComplianceInventory(volumes, [East, West]), Context(clock.GetUtcNow()));

    [Fact]
    public void Reconcile_NewThenSeenThenGoneThenBack_OpensUpdatesResolvesAndReopens()
    {
        var first = FindingLifecycle.Reconcile([], Scan(Volume("vol-a", false)), [East, West], [], clock.GetUtcNow());
        var finding = Assert.Single(first.Added);
        Assert.Equal(FindingChangeKind.New, Assert.Single(first.Changes).Kind);
        Assert.Equal(clock.GetUtcNow(), finding.FirstSeen);

        clock.Advance(TimeSpan.FromHours(6));
        var second = FindingLifecycle.Reconcile([finding], Scan(Volume("vol-a", false)), [East, West], [], clock.GetUtcNow());
        Assert.Empty(second.Added);
        Assert.Empty(second.Changes);
        Assert.Equal(clock.GetUtcNow(), finding.LastSeen);
        Assert.Equal(FindingStatus.Open, finding.Status);

        clock.Advance(TimeSpan.FromHours(6));
        var third = FindingLifecycle.Reconcile([finding], Scan(Volume("vol-a", true)), [East, West], [], clock.GetUtcNow());
        Assert.Equal(FindingChangeKind.Resolved, Assert.Single(third.Changes).Kind);
        Assert.Equal(FindingStatus.Resolved, finding.Status);
        Assert.Equal(clock.GetUtcNow(), finding.ResolvedAt);

        clock.Advance(TimeSpan.FromHours(6));
        var fourth = FindingLifecycle.Reconcile([finding], Scan(Volume("vol-a", false)), [East, West], [], clock.GetUtcNow());
        Assert.Equal(FindingChangeKind.Reopened, Assert.Single(fourth.Changes).Kind);
        Assert.Equal(FindingStatus.Open, finding.Status);
        Assert.Null(finding.ResolvedAt);
        Assert.Equal(1, finding.TimesReopened);
        Assert.Equal(["Opened", "Resolved", "Reopened"], finding.History.Select(h => h.What.Split(':')[0]));
    }

    [Fact]
    public void Reconcile_RegionNotScanned_LeavesItsFindingsOpen()
    {
        var west = Assert.Single(FindingLifecycle.Reconcile([], Scan(Volume("vol-w", false, West)), [East, West], [], clock.GetUtcNow()).Added);

        var result = FindingLifecycle.Reconcile([west], Scan(), [East], [], clock.GetUtcNow());

        Assert.Empty(result.Changes);
        Assert.Equal(FindingStatus.Open, west.Status);
    }

    [Fact]
    public void Waiver_ActiveThenExpired_WaivesThenReopensAndNamesTheExpiredWaiverOnce()
    {
        var finding = Assert.Single(FindingLifecycle.Reconcile([], Scan(Volume("vol-a", false)), [East, West], [], clock.GetUtcNow()).Added);
        var waiver = Waiver.Grant("volume-unencrypted", finding.Id, null, null, "legacy database, migrating in Q3", "ana", clock.GetUtcNow().AddDays(7), "bob", clock.GetUtcNow());

        var granted = FindingLifecycle.ApplyWaivers([finding], [waiver], clock.GetUtcNow());
        Assert.Equal(FindingChangeKind.Waived, Assert.Single(granted.Changes).Kind);
        Assert.Equal(FindingStatus.Waived, finding.Status);

        clock.Advance(TimeSpan.FromDays(6));
        Assert.Empty(FindingLifecycle.Reconcile([finding], Scan(Volume("vol-a", false)), [East, West], [waiver], clock.GetUtcNow()).Changes);

        clock.Advance(TimeSpan.FromDays(1));
        var expired = FindingLifecycle.Reconcile([finding], Scan(Volume("vol-a", false)), [East, West], [waiver], clock.GetUtcNow());
        Assert.Equal(FindingChangeKind.WaiverExpired, Assert.Single(expired.Changes).Kind);
        Assert.Same(waiver, Assert.Single(expired.ExpiredWaivers));
        Assert.Equal(FindingStatus.Open, finding.Status);
        Assert.Null(finding.WaiverId);
    }

    [Fact]
    public void Waiver_ByTag_CoversOnlyFindingsOfThatPolicyWithTheTag()
    {
        var scan = Scan(Volume("vol-lab", false, tags: new() { ["env"] = "Lab" }), Volume("vol-prod", false, tags: new() { ["env"] = "prod" }));
        var findings = FindingLifecycle.Reconcile([], scan, [East, West], [], clock.GetUtcNow()).Added;
        var waiver = Waiver.Grant("volume-unencrypted", null, "env", "lab", "throwaway lab disks", "ana", clock.GetUtcNow().AddDays(30), "bob", clock.GetUtcNow());
        var other = Waiver.Grant("another-policy", null, "env", null, "not this one", "ana", clock.GetUtcNow().AddDays(30), "bob", clock.GetUtcNow());

        FindingLifecycle.ApplyWaivers(findings, [waiver, other], clock.GetUtcNow());

        Assert.Equal(FindingStatus.Waived, findings.Single(f => f.ResourceId == "vol-lab").Status);
        Assert.Equal(FindingStatus.Open, findings.Single(f => f.ResourceId == "vol-prod").Status);
    }

    [Fact]
    public void Grant_WithoutExpiryOrInThePastOrWithoutTarget_IsRefused()
    {
        var now = clock.GetUtcNow();

        Assert.Equal("An exception needs an expiry date.",
            Assert.Throws<DomainException>(() => Waiver.Grant("p", Guid.NewGuid(), null, null, "r", "o", null, "u", now)).Message);
        Assert.Equal("The expiry date must lie in the future.",
            Assert.Throws<DomainException>(() => Waiver.Grant("p", Guid.NewGuid(), null, null, "r", "o", now.AddMinutes(-1), "u", now)).Message);
        Assert.Throws<DomainException>(() => Waiver.Grant("p", Guid.NewGuid(), null, null, "r", "o", now, "u", now));
        Assert.Throws<DomainException>(() => Waiver.Grant("p", null, null, null, "r", "o", now.AddDays(1), "u", now));
        Assert.Throws<DomainException>(() => Waiver.Grant("p", Guid.NewGuid(), null, null, " ", "o", now.AddDays(1), "u", now));
    }
}
