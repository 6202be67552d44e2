using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Monitoring;

public sealed class AlertTests
{
    private static readonly TimeSpan RollUp = TimeSpan.FromMinutes(5);
    private static readonly Actor Olga = Make.Actor("olga", Role.Operator, "*/*");

    private static AlertMember Member(string id, double value = 95) => new(Make.Instance(id).Ref, id, Make.Now, value, $"cpu {value}");

    [Fact]
    public void Lifecycle_FiringNotifiedAcknowledgedResolved_KeepsHistory()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal(NoticeKind.Opened, alert.DueNotice(Make.Now, RollUp));

        alert.MarkNotified(NoticeKind.Opened, Make.Now);
        Assert.Equal(AlertStatus.Notified, alert.Status);
        Assert.Null(alert.DueNotice(Make.Now.AddMinutes(1), RollUp));

        alert.Acknowledge(Olga, Make.Now.AddMinutes(2));
        Assert.Equal((AlertStatus.Acknowledged, "olga"), (alert.Status, alert.AcknowledgedByName));

        alert.Track([], Make.Now.AddMinutes(10));
        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal(NoticeKind.Resolved, alert.DueNotice(Make.Now.AddMinutes(10), RollUp));
        alert.MarkNotified(NoticeKind.Resolved, Make.Now.AddMinutes(10));
        Assert.Null(alert.DueNotice(Make.Now.AddMinutes(11), RollUp));

        Assert.Equal(
            [AlertEventKind.Opened, AlertEventKind.Notified, AlertEventKind.Acknowledged, AlertEventKind.InstanceRecovered, AlertEventKind.Resolved, AlertEventKind.Notified],
            alert.History.Select(h => h.Kind));
    }

    [Fact]
    public void Track_SameInstancesAgain_ChangesNothing()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        var version = alert.Version;

        Assert.Empty(alert.Track([Member("i-01")], Make.Now.AddMinutes(1)));
        Assert.Equal(version, alert.Version);
    }

    [Fact]
    public void Track_NewInstances_JoinTheSameAlert_AndTheUpdateWaitsForTheRollUp()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        alert.MarkNotified(NoticeKind.Opened, Make.Now);

        var joined = alert.Track([Member("i-01"), Member("i-02"), Member("i-03")], Make.Now.AddMinutes(1));

        Assert.Equal(2, joined.Count);
        Assert.Equal(3, alert.Members.Count);
        Assert.Null(alert.DueNotice(Make.Now.AddMinutes(4), RollUp));
        Assert.Equal(NoticeKind.Updated, alert.DueNotice(Make.Now.AddMinutes(5), RollUp));
    }

    [Fact]
    public void Track_AValueChangeOnly_DoesNotAskForANotification()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01", 90)], Make.Now);
        alert.MarkNotified(NoticeKind.Opened, Make.Now);

        alert.Track([Member("i-01", 97)], Make.Now.AddMinutes(10));

        Assert.Equal(97, alert.Members[0].Value);
        Assert.Null(alert.DueNotice(Make.Now.AddMinutes(10), RollUp));
    }

    [Fact]
    public void Snooze_SilencesUntilItEnds_ThenTellsOnce()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        alert.Snooze(Olga, TimeSpan.FromHours(1), Make.Now);

        Assert.Null(alert.DueNotice(Make.Now.AddMinutes(59), RollUp));
        Assert.Equal(NoticeKind.Opened, alert.DueNotice(Make.Now.AddMinutes(60), RollUp));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(60 * 24 * 8)]
    public void Snooze_ZeroNegativeOrTooLong_IsRefused(int minutes)
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);

        Assert.Throws<DomainException>(() => alert.Snooze(Olga, TimeSpan.FromMinutes(minutes), Make.Now));
    }

    [Fact]
    public void Resolve_ByHand_ThenAnyChange_IsRefused()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        alert.MarkNotified(NoticeKind.Opened, Make.Now);
        alert.Resolve(Olga, "fixed the app", Make.Now.AddMinutes(3));

        Assert.Equal("olga", alert.ResolvedByName);
        Assert.Equal(NoticeKind.Resolved, alert.DueNotice(Make.Now.AddMinutes(3), RollUp));
        Assert.Throws<DomainException>(() => alert.Acknowledge(Olga, Make.Now.AddMinutes(4)));
        Assert.Throws<DomainException>(() => alert.Track([Member("i-01")], Make.Now.AddMinutes(4)));
    }

    [Fact]
    public void Acknowledge_Twice_SaysWhoDidItFirst()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        alert.Acknowledge(Olga, Make.Now);

        var error = Assert.Throws<DomainException>(() => alert.Acknowledge(Make.Actor("bob", Role.Operator, "*/*"), Make.Now));

        Assert.Contains("olga", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolvedBeforeAnyoneWasTold_SaysNothing()
    {
        var alert = Alert.Open(Rules.Rule(), [Member("i-01")], Make.Now);
        alert.Snooze(Olga, TimeSpan.FromHours(1), Make.Now);

        alert.Track([], Make.Now.AddMinutes(5));

        Assert.Null(alert.DueNotice(Make.Now.AddMinutes(5), RollUp));
    }

    [Fact]
    public void Digest_AStormForOnePerson_BecomesOneSummary_WhileOthersGetTheirOwn()
    {
        var flooded = Guid.NewGuid();
        var quiet = Guid.NewGuid();
        var notices = Enumerable.Range(0, 12)
            .Select(i => new AlertNotice(Alert.Open(Rules.Rule(d => d.Name = $"rule {i}"), [Member($"i-{i:00}")], Make.Now), NoticeKind.Opened, i == 0 ? [flooded, quiet] : [flooded]))
            .ToList();

        var plan = AlertDigest.Plan(notices, stormLimit: 5);

        var forFlooded = plan.Where(n => n.Recipients.Contains(flooded)).ToList();
        var summary = Assert.Single(forFlooded);
        Assert.Null(summary.AlertId);
        Assert.StartsWith("🔴 12 alerts firing", summary.Title, StringComparison.Ordinal);
        var own = Assert.Single(plan, n => n.Recipients.Contains(quiet));
        Assert.Equal(notices[0].Alert.Id, own.AlertId);
        Assert.Equal(NotificationKind.Alert, own.Kind);
    }

    [Fact]
    public void Digest_UnderTheLimit_OneNotificationPerAlertWithItsApproval()
    {
        var person = Guid.NewGuid();
        var approval = Guid.NewGuid();
        var alert = Alert.Open(Rules.Rule(), [Member("i-01"), Member("i-02")], Make.Now);

        var plan = AlertDigest.Plan([new AlertNotice(alert, NoticeKind.Opened, [person, person], approval)], 5);

        var n = Assert.Single(plan);
        Assert.Equal([person], n.Recipients);
        Assert.Equal(approval, n.ApprovalId);
        Assert.Contains("i-02", n.Body, StringComparison.Ordinal);
        Assert.Contains($"/monitoring/alerts/{alert.Id}", n.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void MaintenanceWindow_SilencesItsScopeAndRuleOnlyWhileActive()
    {
        var rule = Guid.NewGuid();
        var web = Make.Instance("i-0web1", tags: ["env=prod"]);
        var window = MaintenanceWindow.Create("patch night", new RuleScope(ScopeKind.Tag, "env=prod"), rule, Make.Now, Make.Now.AddHours(2), Olga, Make.Now);

        Assert.True(window.Silences(rule, web.Ref, web.Tags, Make.Now.AddHours(1)));
        Assert.False(window.Silences(Guid.NewGuid(), web.Ref, web.Tags, Make.Now.AddHours(1)));
        Assert.False(window.Silences(rule, web.Ref, web.Tags, Make.Now.AddHours(2)));
        Assert.False(window.Silences(rule, web.Ref, Make.Tags("env=dev"), Make.Now.AddHours(1)));
    }

    [Fact]
    public void MaintenanceWindow_BadTimesOrAViewer_AreRefused()
    {
        var scope = new RuleScope(ScopeKind.Account, "*");
        Assert.Throws<DomainException>(() => MaintenanceWindow.Create("w", scope, null, Make.Now, Make.Now, Olga, Make.Now));
        Assert.Throws<DomainException>(() => MaintenanceWindow.Create("w", scope, null, Make.Now, Make.Now.AddDays(31), Olga, Make.Now));
        Assert.Throws<DomainException>(() => MaintenanceWindow.Create("w", scope, null, Make.Now.AddHours(-3), Make.Now.AddHours(-1), Olga, Make.Now));
        Assert.Throws<DomainException>(() => MaintenanceWindow.Create("w", new RuleScope(ScopeKind.Tag, ""), null, Make.Now, Make.Now.AddHours(1), Olga, Make.Now));
        Assert.Throws<DomainException>(() => MaintenanceWindow.Create("w", scope, null, Make.Now, Make.Now.AddHours(1), Make.Actor("vera", Role.Viewer, "*/*"), Make.Now));
    }

    [Theory]
    [InlineData("env")]
    [InlineData("env=")]
    [InlineData("=prod")]
    public void MaintenanceWindow_TagScopeWithoutKeyAndValue_IsRefusedWithAMessageForTheField(string tag)
    {
        var refused = Assert.Throws<DomainException>(() => MaintenanceWindow.Create("w", new RuleScope(ScopeKind.Tag, tag), null, Make.Now, Make.Now.AddHours(1), Olga, Make.Now));

        Assert.Contains("key=value", refused.Message, StringComparison.Ordinal);
        Assert.Equal(refused.Message, MaintenanceWindow.ScopeProblem(ScopeKind.Tag, tag));
        Assert.Null(MaintenanceWindow.ScopeProblem(ScopeKind.Tag, "env=staging"));
    }
}
