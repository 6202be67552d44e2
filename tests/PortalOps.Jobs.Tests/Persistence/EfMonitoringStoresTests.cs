using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfMonitoringStoresTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly InstanceRef Web = new("123456789012", "eu-west-1", "i-0web");
    private static readonly InstanceRef Db = new("123456789012", "eu-west-1", "i-0db");
    private static readonly PortalUser Owner = new(Guid.NewGuid(), "alice", "Alice", Role.Approver, [Scope.Everything], Builders.Epoch);

    private static AlertRule Rule(int version = 1, Guid? id = null, string name = "CPU high") => new AlertRuleDraft
    {
        Name = name, Threshold = 80, EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Tag, ScopeValue = "env=prod",
        NotifyUsers = [Owner.Id], Severity = Severity.Critical,
        Actions = [new CorrectiveAction(ActionKind.ScaleOutGroup.Name, ActionMode.Automatic, new Dictionary<string, string> { ["count"] = "2" })],
    }.ToRule(id ?? Guid.NewGuid(), Owner, Builders.Epoch, TimeSpan.FromMinutes(5), version);

    [Fact]
    public async Task MetricStore_UpsertReplacesTheSamePeriod_QueriesByRange_AndPrunes()
    {
        var store = new EfMetricStore(Database.Contexts);
        var t = Builders.Epoch;
        await store.UpsertAsync([new MetricPoint(Web, MetricKind.Cpu, t, 10), new MetricPoint(Web, MetricKind.Cpu, t.AddMinutes(5), 20), new MetricPoint(Db, MetricKind.Cpu, t, 30)]);
        await store.UpsertAsync([new MetricPoint(Web, MetricKind.Cpu, t.AddMinutes(5), 25)]);

        var web = await store.QueryAsync([Web], MetricKind.Cpu, t, t.AddHours(1));
        Assert.Equal([10.0, 25.0], web.Select(p => p.Value));
        Assert.Equal(t.AddMinutes(5), web[1].At);
        Assert.Empty(await store.QueryAsync([Web], MetricKind.NetworkIn, t, t.AddHours(1)));

        Assert.Equal(2, await store.PruneAsync(t.AddMinutes(1)));
        Assert.Single(await store.QueryAsync([Web, Db], MetricKind.Cpu, t.AddDays(-1), t.AddDays(1)));
    }

    [Fact]
    public async Task MetricStore_HealthIsReplacedAsAWholeAndSortedHottestFirst_AndTheWatermarkIsKept()
    {
        var store = new EfMetricStore(Database.Contexts);
        await store.SaveHealthAsync([new InstanceHealth(Web, "web", 10, 1, 2, false, CheckStatus.Ok, CheckStatus.Ok, Builders.Epoch)]);
        await store.SaveHealthAsync([
            new InstanceHealth(Web, "web", 55, 1, 2, false, CheckStatus.Ok, CheckStatus.Ok, Builders.Epoch),
            new InstanceHealth(Db, "db", 97, 3, 4, true, CheckStatus.Ok, CheckStatus.Impaired, Builders.Epoch)]);

        var page = await store.HealthAsync(new HealthQuery());
        Assert.Equal(["db", "web"], page.Items.Select(h => h.Name));
        Assert.Equal(CheckStatus.Impaired, page.Items[0].InstanceCheck);
        Assert.Equal(["web"], (await store.HealthAsync(new HealthQuery(Text: "WEB"))).Items.Select(h => h.Name));
        Assert.True((await store.HealthOfAsync([Db]))[Db].StatusCheckFailed);

        Assert.Null(await store.WatermarkAsync());
        await store.SetWatermarkAsync(Builders.Epoch);
        await store.SetWatermarkAsync(Builders.Epoch.AddMinutes(5));
        Assert.Equal(Builders.Epoch.AddMinutes(5), await store.WatermarkAsync());
    }

    [Fact]
    public async Task RuleStore_RoundTripsEveryField_AndRefusesAStaleVersion()
    {
        var store = new EfAlertRuleStore(Database.Contexts);
        var rule = Rule();
        await store.SaveAsync(rule);

        var loaded = await store.FindAsync(rule.Id);
        Assert.NotNull(loaded);
        Assert.Equal((rule.Name, rule.Scope, rule.Severity, rule.Period, rule.OwnerId), (loaded.Name, loaded.Scope, loaded.Severity, loaded.Period, loaded.OwnerId));
        Assert.Equal(rule.Recipients.Users, loaded.Recipients.Users);
        Assert.Equal("2", Assert.Single(loaded.Actions).Parameters["count"]);

        await store.SaveAsync(Rule(2, rule.Id, "CPU very high"));
        Assert.Equal("CPU very high", (await store.FindAsync(rule.Id))!.Name);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SaveAsync(Rule(2, rule.Id, "someone else")));
        Assert.True(await store.DeleteAsync(rule.Id));
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task AlertStore_KeepsMembersHistoryAndApprovals_AndTheFirstUpdateWins()
    {
        var store = new EfAlertStore(Database.Contexts);
        var alert = Alert.Open(Rule(), [new AlertMember(Web, "web", Builders.Epoch, 95, "cpu 95 %")], Builders.Epoch);
        await store.AddAsync(alert);
        var first = (await store.FindAsync(alert.Id))!;
        var second = (await store.FindAsync(alert.Id))!;

        first.Acknowledge(new Actor(Guid.NewGuid(), "olga", Role.Operator, [Scope.Everything], Channel.Telegram), Builders.Epoch.AddMinutes(1));
        first.RecordAction(AlertEventKind.ActionOffered, "rule", "Reboot waits", Builders.Epoch.AddMinutes(1), Guid.NewGuid());
        await store.UpdateAsync(first, 0);
        second.Resolve(new Actor(Guid.NewGuid(), "bob", Role.Operator, [Scope.Everything], Channel.Web), null, Builders.Epoch.AddMinutes(2));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync(second, 0));

        var loaded = (await store.FindAsync(alert.Id))!;
        Assert.Equal((AlertStatus.Acknowledged, "olga"), (loaded.Status, loaded.AcknowledgedByName));
        Assert.Equal(Web, Assert.Single(loaded.Members).Instance);
        Assert.Single(loaded.ApprovalIds);
        Assert.Equal([AlertEventKind.Opened, AlertEventKind.Acknowledged, AlertEventKind.ActionOffered], loaded.History.Select(h => h.Kind));
        Assert.Single(await store.ListOpenAsync());
        Assert.Equal(1, (await store.QueryAsync(new AlertQuery(MinimumSeverity: Severity.Critical))).TotalCount);
    }

    [Fact]
    public async Task Windows_OnlyCurrentAndComingAreListed()
    {
        var store = new EfMaintenanceWindowStore(Database.Contexts);
        var actor = new Actor(Guid.NewGuid(), "olga", Role.Operator, [Scope.Everything], Channel.Web);
        var now = Builders.Epoch;
        await store.AddAsync(MaintenanceWindow.Create("soon", new RuleScope(ScopeKind.Region, "eu-west-1"), null, now.AddHours(1), now.AddHours(2), actor, now));
        await store.AddAsync(MaintenanceWindow.Create("now", new RuleScope(ScopeKind.Tag, "env=prod"), Guid.NewGuid(), now, now.AddMinutes(30), actor, now));

        Assert.Equal(["now", "soon"], (await store.ListAsync(now.AddMinutes(1))).Select(w => w.Name));
        Assert.Equal(["soon"], (await store.ListAsync(now.AddMinutes(31))).Select(w => w.Name));
    }

    [Fact]
    public async Task Inbox_AnAlertKeepsOneRowPerPerson_UpdatedAndUnreadAgain()
    {
        var notifier = new InboxNotifier(Database.Contexts, Clock);
        var inbox = new EfInbox(Database.Contexts, Clock);
        var user = Guid.NewGuid();
        var alertId = Guid.NewGuid();
        await notifier.NotifyAsync(new Notification(NotificationKind.Alert, "CPU high — 1 instance(s)", "web", [user]) { AlertId = alertId });
        var first = Assert.Single((await inbox.ListAsync(user, false, 0, 10)).Items);
        await inbox.MarkReadAsync(user, first.Id);

        Clock.Advance(TimeSpan.FromMinutes(5));
        await notifier.NotifyAsync(new Notification(NotificationKind.Alert, "CPU high — 3 instance(s)", "web, api, db", [user]) { AlertId = alertId });

        var item = Assert.Single((await inbox.ListAsync(user, false, 0, 10)).Items);
        Assert.Equal(("CPU high — 3 instance(s)", false, alertId), (item.Title, item.IsRead, item.AlertId!.Value));
    }
}

public sealed class SqliteEfMonitoringStoresTests() : EfMonitoringStoresTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfMonitoringStoresTests() : EfMonitoringStoresTests(DatabaseProvider.Postgres);
