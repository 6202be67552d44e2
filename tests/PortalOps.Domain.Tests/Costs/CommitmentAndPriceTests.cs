using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class CommitmentAndPriceTests
{
    [Fact]
    public void Recommendations_FromCostExplorerOffers_AreInformational_WithSavingsAndHowToBuy()
    {
        var advice = new CommitmentAdvice(
            [new ReservationOffer(Make.ProdAccount, "eu-west-1", "m5.large", 4, 112.40m, 0m, 97.2m, "ONE_YEAR", "NO_UPFRONT"), new ReservationOffer(Make.ProdAccount, "eu-west-1", "c5.large", 0, 10m, 0m, null, "ONE_YEAR", "NO_UPFRONT")],
            [new SavingsPlanOffer(Make.ProdAccount, "COMPUTE_SP", 1.25m, 210.5m, 27.5m, 0m, "THREE_YEARS", "ALL_UPFRONT")]);

        var found = CommitmentRules.Recommendations(advice).ToList();

        Assert.Equal(2, found.Count); // the zero-count offer is not a recommendation
        var ri = found.Single(r => r.Kind == RecommendationKind.ReservedInstances);
        Assert.Equal("Reserve 4 × m5.large in eu-west-1", ri.Describe());
        Assert.Equal(112.40m, ri.MonthlySaving);
        Assert.Equal(Confidence.High, ri.Confidence);
        Assert.False(ri.Applicable);
        var sp = found.Single(r => r.Kind == RecommendationKind.SavingsPlans);
        Assert.Equal("global", sp.Region);
        Assert.Contains(sp.Evidence, e => e.Contains("1.25 USD/hour, 3 years, all upfront", StringComparison.Ordinal));
    }

    [Fact]
    public void Coverage_FromUsage_ComparesRunningOnDemandWithActiveReservations()
    {
        var scope = new CloudScope(Make.ProdAccount, "eu-west-1");
        var fleet = new[]
        {
            Make.Instance("i-1", type: "m5.large"), Make.Instance("i-2", type: "m5.large"), Make.Instance("i-3", type: "m5.large"),
            Make.Instance("i-4", type: "c5.large"), Make.Instance("i-5", type: "m5.large", state: InstanceState.Stopped),
            Make.Instance("i-6", type: "m5.large", tags: ["portalops:lifecycle=spot"]),
        };

        var rows = CommitmentRules.Coverage(fleet, [new ActiveReservation(scope, "m5.large", 2, null), new ActiveReservation(scope, "r5.large", 1, null)], PriceBook.Bundled);

        var m5 = rows.Single(r => r.InstanceType == "m5.large");
        Assert.Equal((3, 2, 2), (m5.Running, m5.Reserved, m5.Covered));
        Assert.Equal(2 / 3.0, m5.Coverage, 3);
        Assert.Equal(1.0, m5.Utilization, 3);
        Assert.Equal(PriceBook.Bundled.Monthly("eu-west-1", "m5.large"), m5.OnDemandMonthlyUncovered);
        var r5 = rows.Single(r => r.InstanceType == "r5.large");
        Assert.Equal(0, r5.Utilization); // a reservation nothing uses
        var view = new CoverageView(DateOnly.FromDateTime(Make.Now.UtcDateTime), rows);
        Assert.Equal(2 / 4.0, view.Coverage, 3);
        Assert.Equal(2 / 3.0, view.Utilization, 3);
    }

    [Fact]
    public void Coverage_RegionWhoseEndpointDoesNotReportReservations_IsUnknown_AndLeftOutOfTheTotals()
    {
        var reported = new CloudScope(Make.ProdAccount, "eu-west-1");
        var silent = new CloudScope(Make.ProdAccount, "us-east-1");
        var empty = new CloudScope(Make.ProdAccount, "ap-south-1");
        var fleet = new[]
        {
            Make.Instance("i-1", type: "m5.large"), Make.Instance("i-2", type: "m5.large"),
            Make.Instance("i-3", region: "us-east-1", type: "c5.large"),
        };

        var rows = CommitmentRules.Coverage(fleet, [new ActiveReservation(reported, "m5.large", 1, null)], PriceBook.Bundled, [silent, empty]);
        var view = new CoverageView(DateOnly.FromDateTime(Make.Now.UtcDateTime), rows);

        var c5 = rows.Single(r => r.InstanceType == "c5.large");
        Assert.Equal((1, 0, false), (c5.Running, c5.Reserved, c5.ReservationsReported));
        Assert.True(rows.Single(r => r.InstanceType == "m5.large").ReservationsReported);
        var marker = rows.Single(r => r.Region == "ap-south-1");
        Assert.Equal((string.Empty, 0, false), (marker.InstanceType, marker.Running, marker.ReservationsReported));
        Assert.Equal([$"{Make.ProdAccount}/ap-south-1", $"{Make.ProdAccount}/us-east-1"], view.Unreported);
        Assert.Equal(2, view.Types.Count(r => r.Region != "ap-south-1"));
        Assert.Equal((2, 1), (view.Running, view.Reserved));
        Assert.Equal(0.5, view.Coverage, 3); // not 1 of 3: the unknown region's c5.large is not counted uncovered
    }

    [Fact]
    public void PriceBook_ListedPriceWins_OtherTypesFallBackToTheBundledTable_AndSaySo()
    {
        var fetched = new DateTimeOffset(2026, 11, 30, 3, 41, 0, TimeSpan.Zero);
        var book = new PriceBook([new ListedPrice("eu-west-1", "m5.large", 0.111m, new DateOnly(2026, 11, 1))], fetched);

        var listed = book.Quote("eu-west-1", "m5.large")!;
        var bundled = book.Quote("eu-west-1", "c5.large")!;
        var borrowed = book.Quote("ap-south-1", "m5.large")!;

        Assert.Equal((0.111m, PriceSource.PriceList, "AWS Price List, 2026-11-30"), (listed.PerHour, listed.Source, listed.SourceText));
        Assert.Equal(PriceSource.Bundled, bundled.Source);
        Assert.Equal("bundled table of 2026-11-01", bundled.SourceText);
        Assert.Equal("bundled table of 2026-11-01, us-east-1's price", borrowed.SourceText);
        Assert.Contains("AWS Price List as of 2026-11-30 03:41 UTC (1 region × type prices)", book.Describe(), StringComparison.Ordinal);
        Assert.Contains("bundled table of 2026-11-01 (the AWS Price List has not been read)", PriceBook.Bundled.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rightsizing_UsesThePriceBook_AndNamesItsSource()
    {
        var book = new PriceBook([new ListedPrice("eu-west-1", "m5.xlarge", 0.30m, default), new ListedPrice("eu-west-1", "m5.large", 0.15m, default), new ListedPrice("eu-west-1", "m6i.large", 0.16m, default)], new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        var usage = new UtilizationSummary(336, 336, 12, 30, 1024, 4096, 40);

        var r = RightsizingRules.Evaluate(Make.Instance("i-1", type: "m5.xlarge"), usage, new RightsizingSettings { Prices = book });

        Assert.Equal("m5.large", r!.TargetType);
        Assert.Equal(decimal.Round(0.15m * 730m, 2), r.MonthlySaving);
        Assert.Contains(r.Evidence, e => e.Contains("(AWS Price List, 2026-11-30)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PriceRefresher_ReadsOncePerWeek_KeepsPricesWhenTheListFails_AndForceRereads()
    {
        var clock = new FakeTimeProvider(Make.Now);
        var list = new FakePriceList();
        var store = new InMemoryPriceStore();
        var refresher = new PriceRefresher(list, store, new OneAccount(), clock);

        var first = await refresher.RefreshAsync();
        clock.Advance(TimeSpan.FromDays(3));
        var again = await refresher.RefreshAsync();
        var callsInTheFirstWeek = list.Calls;
        clock.Advance(TimeSpan.FromDays(5));
        list.Fails = true;
        var failing = await refresher.RefreshAsync();
        list.Fails = false;
        var forced = await refresher.RefreshAsync(force: true);

        Assert.True(first.Refreshed);
        Assert.False(again.Refreshed);
        Assert.Equal(2, callsInTheFirstWeek); // eu-west-1 and us-east-1, once
        Assert.False(failing.Refreshed);
        Assert.NotEmpty(failing.Errors);
        Assert.True(forced.Refreshed);
        Assert.Equal(clock.GetUtcNow(), (await store.LoadAsync()).FetchedAt);
        Assert.Equal(PriceSource.PriceList, (await store.LoadAsync()).Quote("us-east-1", "m5.large")!.Source);
    }

    private sealed class FakePriceList : IPriceList
    {
        public int Calls { get; private set; }

        public bool Fails { get; set; }

        public Task<IReadOnlyList<ListedPrice>> OnDemandAsync(string region, IReadOnlyList<string> instanceTypes, CancellationToken cancellationToken = default)
        {
            Calls++;
            if (Fails)
            {
                throw new InvalidOperationException("ThrottlingException");
            }

            Assert.Contains("m5.large", instanceTypes);
            return Task.FromResult<IReadOnlyList<ListedPrice>>([new ListedPrice(region, "m5.large", 0.1m, new DateOnly(2026, 1, 1))]);
        }
    }

    private sealed class InMemoryPriceStore : IPriceStore
    {
        private PriceBook book = PriceBook.Bundled;

        public Task<PriceBook> LoadAsync(CancellationToken cancellationToken = default) => Task.FromResult(book);

        public Task SaveAsync(IReadOnlyList<ListedPrice> prices, DateTimeOffset fetchedAt, CancellationToken cancellationToken = default)
        {
            book = new PriceBook(prices, fetchedAt);
            return Task.CompletedTask;
        }
    }

    private sealed class OneAccount : ICloudProvider
    {
        public string Name => "Test";

        public bool IsSandbox => false;

        public IReadOnlyList<CloudAccount> Accounts { get; } = [new CloudAccount(Make.ProdAccount, "prod", ["eu-west-1", "us-east-1"])];
    }
}
