using Microsoft.Extensions.Options;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Persistence;

namespace PortalOps.Jobs.Tests.Costs;

/// <summary>The cost scan over the sandbox account, stored in a real database: every kind found, safe twice, dismissals, scoped reads.</summary>
public abstract class CostScanTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private const string Account = "000000000000";

    private (CostScanner Scanner, EfCostRecommendationStore Store, SandboxCloud Cloud) Build()
    {
        var cloud = new SandboxCloud(Options.Create(new SandboxOptions()), Clock, new FleetEvents());
        var store = new EfCostRecommendationStore(Database.Contexts);
        return (new CostScanner(cloud, cloud, cloud, cloud, new SandboxUtilization(cloud), store, Clock) { Commitments = cloud, Coverage = new EfCostCoverageStore(Database.Contexts), Prices = new EfPriceStore(Database.Contexts) }, store, cloud);
    }

    private static RecommendationQuery All(DateTimeOffset now) => new(now, 0, 500) { VisibleTo = new ReadScope([Scope.Everything]) };

    [Fact]
    public async Task Scan_Sandbox_ProducesEveryKindOfRecommendation_WithSavingsAndEvidence()
    {
        var (scanner, store, _) = Build();

        var scan = await scanner.ScanAsync();

        var page = await store.QueryAsync(All(Clock.GetUtcNow()));
        var kinds = page.Items.Select(v => v.Recommendation.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<RecommendationKind>().ToHashSet(), kinds);
        Assert.All(page.Items, v => Assert.True(v.Recommendation.MonthlySaving > 0, v.Recommendation.Key));
        Assert.All(page.Items, v => Assert.NotEmpty(v.Recommendation.Evidence));
        Assert.Equal(scan.Recommendations, page.TotalCount);
        Assert.Equal(page.Items.Sum(v => v.Recommendation.MonthlySaving), scan.MonthlySaving);
        Assert.Empty(scan.Errors);
        Assert.Equal(page.Items.Select(v => v.Recommendation.MonthlySaving).OrderDescending(), page.Items.Select(v => v.Recommendation.MonthlySaving));
    }

    [Fact]
    public async Task Scan_Sandbox_WritesCoverageAndUtilizationFromUsage_ReadPerAccount()
    {
        var (scanner, _, _) = Build();
        var coverage = new EfCostCoverageStore(Database.Contexts);

        await scanner.ScanAsync();
        await scanner.ScanAsync(); // replaced, not doubled

        var view = await coverage.LatestAsync(null);
        var reserved = view!.Rows.Single(r => r.Region == "eu-west-1" && r.InstanceType == "m5.large");
        Assert.Equal(2, reserved.Reserved);
        Assert.Equal(2, view.Reserved);
        Assert.True(view.Running > 10);
        Assert.Equal(view.Rows.Count, view.Rows.Select(r => (r.AccountId, r.Region, r.InstanceType)).Distinct().Count());
        Assert.All(view.Rows.Where(r => r.Reserved == 0 && r.Running > 0), r => Assert.Equal(0, r.Coverage));
        Assert.Null(await coverage.LatestAsync(new HashSet<string> { "111111111111" }));
    }

    [Fact]
    public async Task Scan_TwiceTheSameDay_LeavesOneScanAndTheSameRecommendations()
    {
        var (scanner, store, _) = Build();

        await scanner.ScanAsync();
        var first = await store.QueryAsync(All(Clock.GetUtcNow()));
        Clock.Advance(TimeSpan.FromMinutes(30));
        await scanner.ScanAsync();
        var second = await store.QueryAsync(All(Clock.GetUtcNow()));

        Assert.Equal(first.Items.Select(v => (v.Recommendation.Key, v.Recommendation.MonthlySaving, v.FoundAt)), second.Items.Select(v => (v.Recommendation.Key, v.Recommendation.MonthlySaving, v.FoundAt)));
        var last = await store.LastScanAsync();
        Assert.Equal(DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime), last!.Day);
        Assert.Equal(first.TotalCount, last.Recommendations);
    }

    [Fact]
    public async Task Dismissal_HidesTheRecommendationUntilItExpires_AndSurvivesARescan()
    {
        var (scanner, store, _) = Build();
        await scanner.ScanAsync();
        var target = (await store.QueryAsync(All(Clock.GetUtcNow()))).Items[0].Recommendation;

        await store.DismissAsync(Dismissal.Create(target.Key, "kept for the launch week", Clock.GetUtcNow().AddDays(2), Guid.NewGuid(), "olga", Clock.GetUtcNow()));
        await scanner.ScanAsync();

        Assert.DoesNotContain((await store.QueryAsync(All(Clock.GetUtcNow()))).Items, v => v.Recommendation.Key == target.Key);
        var shown = (await store.QueryAsync(All(Clock.GetUtcNow()) with { IncludeDismissed = true })).Items.Single(v => v.Recommendation.Key == target.Key);
        Assert.Equal("kept for the launch week", shown.Dismissal!.Reason);
        Assert.True(shown.Dismissed(Clock.GetUtcNow()));
        var totalsBefore = await store.TotalsAsync(new ReadScope([Scope.Everything]), Clock.GetUtcNow());

        Clock.Advance(TimeSpan.FromDays(2));

        Assert.Contains((await store.QueryAsync(All(Clock.GetUtcNow()))).Items, v => v.Recommendation.Key == target.Key);
        var totalsAfter = await store.TotalsAsync(new ReadScope([Scope.Everything]), Clock.GetUtcNow());
        Assert.Equal(totalsBefore.Count + 1, totalsAfter.Count);
        Assert.Equal(totalsBefore.MonthlySaving + target.MonthlySaving, totalsAfter.MonthlySaving);
    }

    [Fact]
    public async Task Query_IsScopedFilteredAndPagedInTheStore()
    {
        var (scanner, store, _) = Build();
        await scanner.ScanAsync();
        var now = Clock.GetUtcNow();

        var eu = await store.QueryAsync(new RecommendationQuery(now, 0, 500) { VisibleTo = new ReadScope([new Scope(Account, "eu-west-1")]) });
        var payments = await store.QueryAsync(new RecommendationQuery(now, 0, 500) { VisibleTo = new ReadScope([new Scope(Scope.Any, Scope.Any, "team", "payments")]) });
        var other = await store.QueryAsync(new RecommendationQuery(now, 0, 500) { VisibleTo = new ReadScope([new Scope("111111111111", Scope.Any)]) });
        var idle = await store.QueryAsync(All(now) with { Kind = RecommendationKind.StopIdle });
        var paged = await store.QueryAsync(All(now) with { PageIndex = 1, PageSize = 2 });

        Assert.NotEmpty(eu.Items);
        Assert.All(eu.Items, v => Assert.Equal("eu-west-1", v.Recommendation.Region));
        Assert.All(payments.Items, v => Assert.Equal("payments", v.Recommendation.Tags["team"]));
        Assert.Empty(other.Items);
        Assert.Equal(0, other.TotalCount);
        Assert.All(idle.Items, v => Assert.Equal(RecommendationKind.StopIdle, v.Recommendation.Kind));
        Assert.Equal(2, paged.Items.Count);
        Assert.True(paged.TotalCount > 4);
    }
}

public sealed class SqliteCostScanTests() : CostScanTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresCostScanTests() : CostScanTests(DatabaseProvider.Postgres);
