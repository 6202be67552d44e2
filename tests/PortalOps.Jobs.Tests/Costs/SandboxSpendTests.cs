using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Costs;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Costs;

/// <summary>The Sandbox bill: per service and per tag, weekday patterns, and yesterday's anomaly.</summary>
public sealed class SandboxSpendTests
{
    // A Wednesday.
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static SandboxSpend Spend(out DateOnly today)
    {
        var clock = new FakeTimeProvider(Now);
        today = DateOnly.FromDateTime(Now.UtcDateTime);
        return new SandboxSpend(new SandboxCloud(Options.Create(new SandboxOptions()), clock, new FleetEvents()), clock);
    }

    [Fact]
    public async Task Bill_HasEveryServiceAndTheTeamsAsTagGroups_WithQuieterWeekends()
    {
        var spend = Spend(out var today);

        var byService = await spend.GetAsync(new SpendQuery(today.AddDays(-28), today, SpendGranularity.Daily, SpendDimension.Service, [SandboxFleet.AccountId]));
        var byTeam = await spend.GetAsync(new SpendQuery(today.AddDays(-28), today, SpendGranularity.Daily, SpendDimension.Tag, [SandboxFleet.AccountId], "team"));

        var services = byService.ByGroup().Select(g => g.Group).ToList();
        Assert.Contains(SandboxSpend.Ec2Compute, services);
        Assert.Contains("Amazon Relational Database Service", services);
        Assert.Contains(SandboxSpend.SpikeService, services);
        Assert.True(byTeam.ByGroup().Count(g => g.Group != SandboxSpend.Untagged) >= 2);
        Assert.Equal(byService.Total, byTeam.Total, 0); // the same bill, grouped differently

        var rds = byService.Lines.Where(l => l.Group == "Amazon Relational Database Service").ToList();
        var weekend = rds.Where(l => l.Start.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday).Average(l => l.Amount);
        var weekday = rds.Where(l => l.Start.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Average(l => l.Amount);
        Assert.InRange(weekend / weekday, 0.6m, 0.8m);
    }

    [Fact]
    public async Task Bill_YesterdayIsAnAnomaly_TheDayBeforeIsNot()
    {
        var spend = Spend(out var today);
        var settings = new AnomalySettings();
        var yesterday = today.AddDays(-1);

        var report = await spend.GetAsync(SpendAnomalies.Question(SandboxFleet.AccountId, yesterday, settings));
        var before = await spend.GetAsync(SpendAnomalies.Question(SandboxFleet.AccountId, yesterday.AddDays(-1), settings));

        var anomaly = SpendAnomalies.Judge(SandboxFleet.AccountId, report.Lines, yesterday, settings);
        Assert.NotNull(anomaly);
        Assert.Equal(SandboxSpend.SpikeService, anomaly.Drivers[0].Service);
        Assert.Null(SpendAnomalies.Judge(SandboxFleet.AccountId, before.Lines, yesterday.AddDays(-1), settings));
    }
}
