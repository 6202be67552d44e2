using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Costs;

public sealed class CostOverviewTests
{
    // 2026-03-11: ten full days of March are known.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 11, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeSpend _spend = new();

    private sealed class FakeSpend : ISpendSource
    {
        public List<SpendQuery> Asked { get; } = [];

        public IReadOnlyList<string> Tags { get; set; } = ["team", "env"];

        public Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default)
        {
            Asked.Add(query);
            var lines = new List<SpendLine>();
            for (var d = query.From; d < query.To; d = d.AddDays(1))
            {
                // EC2 grows from 10 a day in February to 20 in March; S3 stays at 2.
                lines.Add(new SpendLine(d, "Amazon Elastic Compute Cloud - Compute", d.Month == 3 ? 20 : 10));
                lines.Add(new SpendLine(d, "Amazon Simple Storage Service", 2));
            }

            return Task.FromResult(new SpendReport(query, lines, "USD", DateTimeOffset.UnixEpoch, true));
        }

        public Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
            Task.FromResult(new SpendForecast([new ForecastMonth(new DateOnly(2026, 3, 1), 500, 450, 550), new ForecastMonth(new DateOnly(2026, 4, 1), 700, 600, 800), new ForecastMonth(new DateOnly(2026, 5, 1), 700, 600, 800)], "USD", DateTimeOffset.UnixEpoch));

        public Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) => Task.FromResult(Tags);
    }

    [Fact]
    public async Task Summary_ComparesMonthToDateWithTheSameDaysLastMonth_AndRanksMovers()
    {
        var overview = new CostOverview(_spend, _clock);

        var s = await overview.SummaryAsync([Make.ProdAccount]);

        Assert.Equal(220m, s.MonthToDate); // 10 days × 22
        Assert.Equal(120m, s.LastMonthSamePeriod); // 10 days × 12
        Assert.Equal(28 * 12m, s.LastMonth);
        Assert.Equal(720m, s.MonthEndEstimate);
        Assert.Equal(3, s.Forecast.Months.Count);
        Assert.Equal("Amazon Elastic Compute Cloud - Compute", s.Movers[0].Group);
        Assert.Equal(100m, s.Movers[0].Change);
        Assert.Single(_spend.Asked); // one question answers the totals and the movers
    }

    [Fact]
    public void VisibleAccounts_OnlyWholeAccountScopes()
    {
        var whole = Make.Actor("ann", Role.Viewer, new Scope(Make.ProdAccount, Scope.Any));
        var regional = Make.Actor("bob", Role.Viewer, new Scope(Make.ProdAccount, "eu-west-1"));
        var tagged = Make.Actor("cy", Role.Viewer, new Scope(Scope.Any, Scope.Any, "team", "payments"));
        var everything = Make.Actor("dee", Role.Admin, Scope.Everything);
        string[] accounts = [Make.ProdAccount, Make.DevAccount];

        Assert.Equal([Make.ProdAccount], CostOverview.VisibleAccounts(whole, accounts));
        Assert.Empty(CostOverview.VisibleAccounts(regional, accounts));
        Assert.Empty(CostOverview.VisibleAccounts(tagged, accounts));
        Assert.Equal(accounts, CostOverview.VisibleAccounts(everything, accounts));
    }

    [Fact]
    public async Task Spend_NarrowsTheQueryToVisibleAccounts()
    {
        var overview = new CostOverview(_spend, _clock);

        await overview.SpendAsync(new SpendQuery(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 11), SpendGranularity.Daily, SpendDimension.Service, [Make.ProdAccount, Make.DevAccount]), [Make.ProdAccount]);

        Assert.Equal([Make.ProdAccount], _spend.Asked.Single().Accounts);
    }

    [Fact]
    public async Task Spend_NoVisibleAccount_AsksNothing()
    {
        var r = await new CostOverview(_spend, _clock).SpendAsync(new SpendQuery(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 11), SpendGranularity.Daily, SpendDimension.Service, []), []);

        Assert.Empty(r.Lines);
        Assert.Empty(_spend.Asked);
    }

    [Fact]
    public async Task Spend_TagThatIsNotACostAllocationTag_IsRefusedWithHowToActivateIt()
    {
        var query = new SpendQuery(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 11), SpendGranularity.Daily, SpendDimension.Tag, [], "owner");

        var e = await Assert.ThrowsAsync<CostRuleException>(() => new CostOverview(_spend, _clock).SpendAsync(query, [Make.ProdAccount]));

        Assert.Contains("'owner' is not an active cost-allocation tag", e.Message, StringComparison.Ordinal);
        Assert.Contains("Cost allocation tags", e.Message, StringComparison.Ordinal);
        Assert.Empty(_spend.Asked);
    }

    [Theory]
    [InlineData("2026-03-10", "2026-03-01", SpendGranularity.Daily, "end must be after")]
    [InlineData("2024-01-01", "2024-02-01", SpendGranularity.Monthly, "13 months")]
    [InlineData("2025-10-01", "2026-03-01", SpendGranularity.Daily, "92 days")]
    public void Validate_RefusesWhatCostExplorerWouldRefuse(string from, string to, SpendGranularity granularity, string expected)
    {
        var q = new SpendQuery(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), granularity, SpendDimension.Service, []);

        Assert.Contains(expected, Assert.Throws<CostRuleException>(() => q.Validate(new DateOnly(2026, 3, 11))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricDataLimits_FourteenDaysHourly_Fits300QueriesPerCall()
    {
        Assert.Equal(300, MetricDataLimits.QueriesPerCall(336));
        Assert.Equal(500, MetricDataLimits.QueriesPerCall(12));
        Assert.Equal(134, MetricDataLimits.MinimumCalls(40_000, 336));
    }
}
