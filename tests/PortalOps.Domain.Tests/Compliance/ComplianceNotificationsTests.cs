using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;
using static PortalOps.Domain.Tests.Compliance.Resources;

namespace PortalOps.Domain.Tests.Compliance;

/// <summary>
/// Who hears about new high-severity findings and expired exceptions: one message per group of people who would get the same
/// list (rolled up like alerts), Operators and up within their scopes and the owner named by the resource's tag, nobody else.
/// </summary>
public sealed class ComplianceNotificationsTests
{
    private static readonly CloudScope OtherAccount = new("222222222222", "us-east-1");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryUserStore users = new();
    private readonly RecordingNotifier notifier = new();

    private async Task<Dictionary<string, PortalOps.Domain.Security.PortalUser>> PeopleAsync()
    {
        var people = new[]
        {
            Make.User("ada", Role.Admin, "*/*"),
            Make.User("olga", Role.Operator, "111111111111/us-east-1"),
            Make.User("omar", Role.Operator, "111111111111/us-east-1"),
            Make.User("vera", Role.Viewer, "111111111111/*"),
            Make.User("vic", Role.Viewer, "111111111111/*"),
            Make.User("otto", Role.Operator, "333333333333/*"),
            Make.User("bob", Role.Approver, "111111111111/*"),
        };
        foreach (var p in people)
        {
            await users.AddAsync(p);
        }

        return people.ToDictionary(p => p.UserName);
    }

    private List<Finding> Scan(params ComplianceResource[] instances) =>
        FindingLifecycle.Reconcile([], PolicyEvaluator.Evaluate([ImdsV1], new ComplianceInventory(instances, [East, West, OtherAccount]), Context(clock.GetUtcNow())), [East, West, OtherAccount], [], clock.GetUtcNow()).Added.ToList();

    [Fact]
    public async Task NewHighSeverity_RolledUpIntoOneMessagePerSameList_OnlyToOperatorsWhoMaySeeAndTheNamedOwner()
    {
        var p = await PeopleAsync();
        var findings = Scan(
            Instance("i-east-vera", clock.GetUtcNow(), imdsV2: false, tags: new() { ["Owner"] = "vera" }),
            Instance("i-east-2", clock.GetUtcNow(), imdsV2: false),
            Instance("i-west-1", clock.GetUtcNow(), imdsV2: false, scope: West),
            Instance("i-other", clock.GetUtcNow(), imdsV2: false, scope: OtherAccount),
            Instance("i-fine", clock.GetUtcNow(), imdsV2: true));
        Assert.Equal(4, findings.Count);
        Assert.All(findings, f => Assert.Equal(Severity.High, f.Severity));

        await new ComplianceNotifications(users, notifier).NotifyAsync(findings, []);

        var sent = notifier.Sent.ToList();
        Assert.Equal(4, sent.Count); // ada (all 4); olga+omar (east 2); vera (her one); bob (the 3 in account 111…)
        Assert.All(sent, n => Assert.Equal(PortalOps.Domain.Notifications.NotificationKind.Alert, n.Kind));
        var toAda = Assert.Single(sent, n => n.Recipients.Contains(p["ada"].Id));
        Assert.Equal([p["ada"].Id], toAda.Recipients);
        Assert.StartsWith("Compliance: 4 new high-severity finding(s)", toAda.Title, StringComparison.Ordinal);
        var toEastOperators = Assert.Single(sent, n => n.Recipients.Contains(p["olga"].Id));
        Assert.Equal(new[] { p["olga"].Id, p["omar"].Id }.Order(), toEastOperators.Recipients.Order());
        Assert.Contains("i-east-vera", toEastOperators.Body, StringComparison.Ordinal);
        Assert.Contains("i-east-2", toEastOperators.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("i-west-1", toEastOperators.Body, StringComparison.Ordinal);
        var toVera = Assert.Single(sent, n => n.Recipients.Contains(p["vera"].Id));
        Assert.Equal([p["vera"].Id], toVera.Recipients);
        Assert.Contains("i-east-vera", toVera.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("i-east-2", toVera.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(sent, n => n.Recipients.Contains(p["vic"].Id) || n.Recipients.Contains(p["otto"].Id));
        Assert.DoesNotContain(sent, n => n.Body.Contains("i-other", StringComparison.Ordinal) && !n.Recipients.SequenceEqual([p["ada"].Id]));
    }

    [Fact]
    public async Task ExpiredException_WithTheFakeClock_ReopensItsFindingAndTellsOwnerAndGrantorOnly()
    {
        var p = await PeopleAsync();
        var finding = Assert.Single(Scan(Instance("i-east-vera", clock.GetUtcNow(), imdsV2: false, tags: new() { ["Owner"] = "vera" })));
        var waiver = Waiver.Grant(ImdsV1.Id, finding.Id, null, null, "vendor agent needs IMDSv1", "vera", clock.GetUtcNow().AddDays(7), "bob", clock.GetUtcNow());
        FindingLifecycle.ApplyWaivers([finding], [waiver], clock.GetUtcNow());
        Assert.Equal(FindingStatus.Waived, finding.Status);

        clock.Advance(TimeSpan.FromDays(6));
        Assert.Empty(FindingLifecycle.ApplyWaivers([finding], [waiver], clock.GetUtcNow()).ExpiredWaivers);
        clock.Advance(TimeSpan.FromDays(1));
        var expired = FindingLifecycle.ApplyWaivers([finding], [waiver], clock.GetUtcNow());
        Assert.Equal(FindingStatus.Open, finding.Status);
        Assert.Same(waiver, Assert.Single(expired.ExpiredWaivers));

        await new ComplianceNotifications(users, notifier).NotifyAsync([], [(waiver, [finding])]);

        var sent = Assert.Single(notifier.Sent);
        Assert.Equal(new[] { p["vera"].Id, p["bob"].Id }.Order(), sent.Recipients.Order());
        Assert.Equal($"Compliance exception expired: {ImdsV1.Id}", sent.Title);
        Assert.Contains("1 finding(s) are open again", sent.Body, StringComparison.Ordinal);
    }
}
