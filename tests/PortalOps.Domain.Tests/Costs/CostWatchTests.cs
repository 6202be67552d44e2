using PortalOps.Domain.Costs;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Costs;

/// <summary>Budget thresholds and spend anomalies over a bill the test writes, with a fake clock.</summary>
public sealed class CostWatchTests
{
    // 2026-03-21 08:00: twenty full days of March are known.
    private readonly BudgetHarness _h = new(new DateTimeOffset(2026, 3, 21, 8, 0, 0, TimeSpan.Zero));

    private static IReadOnlyList<(string, string, decimal)> Flat(decimal amount) => [("Amazon Elastic Compute Cloud - Compute", "payments", amount)];

    private IReadOnlyList<Alert> CostAlerts(Guid source) => _h.Alerts.All.Where(a => a.RuleId == source).ToList();

    [Fact]
    public async Task Budget_FiresOncePerThresholdPerMonth_ActualAndForecast_AndAgainNextMonth()
    {
        await _h.Users.AddAsync(Make.User("ann", Role.Viewer, "*/*"));
        _h.Spend.Daily = (_, _) => Flat(25m);
        _h.Spend.RestOfMonth = 300m;
        await _h.SaveAsync(new BudgetScope(Make.ProdAccount), 1000m);

        // 20 days × 25 = 500 spent (50 %); 500 + 300 = 800 forecast (80 %).
        var first = await _h.Watch.RunAsync();
        var again = await _h.Watch.RunAsync();

        Assert.Equal((2, 0), (first.BudgetAlerts, again.BudgetAlerts));
        var alerts = CostAlerts(AlertSources.CostBudget);
        Assert.Equal(["Budget Prod: 50 % spent", "Budget Prod: 80 % forecast"], alerts.Select(a => a.RuleName).Order().ToArray());
        Assert.All(alerts, a => Assert.Equal(AlertStatus.Notified, a.Status));
        Assert.Equal(2, _h.Notifier.Sent.Count);

        // Four days later: 600 spent (still past 50 only); the forecast reaches 1,100 (100 % forecast is new, and critical).
        _h.Clock.Advance(TimeSpan.FromDays(4));
        _h.Spend.RestOfMonth = 500m;
        var later = await _h.Watch.RunAsync();

        Assert.Equal(1, later.BudgetAlerts);
        var critical = Assert.Single(CostAlerts(AlertSources.CostBudget), a => a.RuleName == "Budget Prod: 100 % forecast");
        Assert.Equal(Severity.Critical, critical.Severity);
        Assert.Equal(3, _h.Notifier.Sent.Count);

        // April 2: March's alerts resolve; April's first day (25) plus 500 to come passes 50 % forecast again, in the new month.
        _h.Clock.Advance(TimeSpan.FromDays(8));
        var april = await _h.Watch.RunAsync();

        Assert.Equal((1, 3), (april.BudgetAlerts, april.Resolved));
        Assert.Equal(3, CostAlerts(AlertSources.CostBudget).Count(a => !a.IsOpen));
        Assert.Contains(CostAlerts(AlertSources.CostBudget), a => a.IsOpen && a.RuleName == "Budget Prod: 50 % forecast");
    }

    [Fact]
    public async Task Budget_AlertGoesToPeopleWhoMaySeeTheBudget_NotToAnotherAccountsScope()
    {
        var ann = Make.User("ann", Role.Viewer, "*/*");
        var owen = Make.User("owen", Role.Operator, $"{Make.ProdAccount}/*");
        var dora = Make.User("dora", Role.Approver, $"{Make.DevAccount}/*");
        var rita = Make.User("rita", Role.Operator, $"{Make.ProdAccount}/eu-west-1");
        foreach (var u in new[] { ann, owen, dora, rita })
        {
            await _h.Users.AddAsync(u);
        }

        _h.Spend.Daily = (_, _) => Flat(60m); // 1,200 of 1,000
        await _h.SaveAsync(new BudgetScope(Make.ProdAccount), 1000m, 100);

        await _h.Watch.RunAsync();

        var sent = Assert.Single(_h.Notifier.Sent);
        Assert.Equal(new[] { ann.Id, owen.Id }.Order(), sent.Recipients.Order());
        var alert = Assert.Single(CostAlerts(AlertSources.CostBudget));
        Assert.True(Domain.Actions.Authorizer.MaySee(owen.AsActor(Domain.Common.Channel.Web), alert));
        Assert.False(Domain.Actions.Authorizer.MaySee(rita.AsActor(Domain.Common.Channel.Web), alert));
    }

    [Fact]
    public async Task TagBudget_CountsOnlyItsTagValue_AndForecastsFromTheRunRate()
    {
        _h.Spend.Daily = (_, _) => [("EC2", "payments", 10m), ("EC2", "web", 90m)];
        var budget = new Budget(new BudgetScope(Make.ProdAccount, "team", "Payments"), "Payments", 400m, [80], true, 1, "test", _h.Clock.GetUtcNow());

        var status = await _h.Watch.StatusAsync(budget);

        Assert.Equal(200m, status.Actual); // 20 days × 10, the value compared without case
        Assert.Equal(310m, status.Forecast); // 10 a day over March's 31 days
        Assert.Equal(50m, status.ActualPercent);
        Assert.Empty(status.Crossings()); // 77.5 % forecast is under 80
    }

    [Fact]
    public async Task Anomaly_AboveTheSameWeekdaysRange_OpensOneAlertNamingTheService_AndResolvesWhenSpendIsBack()
    {
        var yesterday = new DateOnly(2026, 3, 20);
        // Weekdays 100, weekends 60 (a weekly pattern is no anomaly); yesterday data transfer jumps by 80.
        _h.Spend.Daily = (account, d) => account != Make.ProdAccount ? Flat(5m)
            : [("EC2", "web", d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 60m : 100m), ("AWS Data Transfer", "web", d == yesterday ? 82m : 2m)];

        var first = await _h.Watch.RunAsync();
        var second = await _h.Watch.RunAsync();

        Assert.Equal((1, 0), (first.Anomalies, second.Anomalies));
        var alert = Assert.Single(CostAlerts(AlertSources.SpendAnomaly));
        Assert.Contains("AWS Data Transfer +80.00 USD", alert.Description, StringComparison.Ordinal);
        Assert.Equal(Make.ProdAccount, alert.Footprint!.Account);

        _h.Clock.Advance(TimeSpan.FromDays(1));
        var next = await _h.Watch.RunAsync();

        Assert.Equal((0, 1), (next.Anomalies, next.Resolved));
        Assert.False(Assert.Single(CostAlerts(AlertSources.SpendAnomaly)).IsOpen);
    }

    [Fact]
    public void Anomaly_WeekendDipAfterBusyWeek_AndTooLittleHistory_AreNotAnomalies()
    {
        var settings = new AnomalySettings();
        var saturday = new DateOnly(2026, 3, 21);
        var lines = Enumerable.Range(0, 43).Select(n => saturday.AddDays(-42 + n))
            .Select(d => new SpendLine(d, "EC2", d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 40m : 100m)).ToList();

        Assert.Null(SpendAnomalies.Judge(Make.ProdAccount, lines, saturday, settings));
        Assert.Null(SpendAnomalies.Judge(Make.ProdAccount, [.. lines.Where(l => l.Start > saturday.AddDays(-15)), new SpendLine(saturday, "EC2", 500m)], saturday, settings));
        Assert.NotNull(SpendAnomalies.Judge(Make.ProdAccount, [.. lines.Where(l => l.Start != saturday), new SpendLine(saturday, "EC2", 100m)], saturday, settings));
    }

    [Fact]
    public async Task MonitoringEngine_LeavesCostAlertsAlone()
    {
        _h.Spend.Daily = (_, _) => Flat(60m);
        await _h.SaveAsync(new BudgetScope(Make.ProdAccount), 1000m, 100);
        await _h.Watch.RunAsync();
        var p = new PipelineHarness();
        var engine = new AlertEngine(new InMemoryRuleStore(), _h.Alerts, new InMemoryWindowStore(), new InMemoryMetricStore(), p.Inventory, _h.Users, p.Notifier, p.Pipeline, MonitoringSettings.Default, _h.Clock);

        await engine.EvaluateAsync();

        Assert.True(Assert.Single(CostAlerts(AlertSources.CostBudget)).IsOpen);
        Assert.Empty(p.Notifier.Sent);
    }
}
