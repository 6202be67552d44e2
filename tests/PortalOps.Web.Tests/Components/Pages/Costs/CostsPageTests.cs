using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Costs;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Costs;

public sealed class CostsPageTests : PortalTestContext
{
    private const string Other = "222222222222";
    private readonly MemoryRecommendations _store = new();

    public CostsPageTests()
    {
        Services.AddSingleton<ISpendSource>(new FakeSpend(Clock));
        Services.AddSingleton<ICostRecommendationStore>(_store);
        Services.AddSingleton<ICloudResources>(new NoResources());
        Services.AddScoped<CostOverview>();
        Services.AddScoped<ResizeCheck>();
        Services.AddScoped<CostRecommendations>();
        var idle = new Recommendation(RecommendationKind.StopIdle, new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "i-0idle"), "dev-batch-03",
            new Dictionary<string, string> { ["team"] = "data" }, "m5.large", null, 70.08m, Confidence.High, ["CPU p95 1.2 %, max 3 %"]);
        var gp2 = new Recommendation(RecommendationKind.ConvertToGp3, new InstanceRef(Other, TestData.EuWest, "vol-0other"), "other-web",
            new Dictionary<string, string>(), "gp2", "gp3", 4m, Confidence.High, ["100 GiB gp2"]);
        _store.Items.AddRange([idle, gp2]);
        Inventory.Add(new Instance(idle.Resource, "dev-batch-03", "m5.large", InstanceState.Running, "eu-west-1a", "Linux/UNIX", Start.AddDays(-40), idle.Tags, []));
    }

    [Fact]
    public void Page_OperatorOfTheAccount_SeesSpendForecastChartAndTheirRecommendations_WithCsvLinks()
    {
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.Equal("528.00 USD", page.Find("[data-testid=cost-mtd]").TextContent));
        Assert.Contains("+83.3%", page.Find("[data-testid=cost-mtd-change]").TextContent, StringComparison.Ordinal);
        Assert.Equal("3,000.00 USD", page.Find("[data-testid=cost-forecast]").TextContent);
        Assert.Contains("Sandbox bill as of", page.Find("[data-testid=cost-age]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Amazon Elastic Compute Cloud", page.Find("[data-testid=cost-movers]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=cost-chart]"));
        Assert.StartsWith("/costs/spend.csv?from=", page.Find("[data-testid=spend-csv]").GetAttribute("href"), StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rec-row]")));
        Assert.Contains("Stop idle dev-batch-03", page.Find("[data-testid=rec-row]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("other-web", page.Markup, StringComparison.Ordinal);
        Assert.Equal("/costs/recommendations.csv", page.Find("[data-testid=rec-csv]").GetAttribute("href"));
        Assert.Equal("70.08 USD/mo", page.Find("[data-testid=cost-savings]").TextContent);
    }

    [Fact]
    public void Apply_Operator_SubmitsThroughThePipeline_AndItWaitsForApproval()
    {
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<CostsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-apply]")));

        page.Find("[data-testid=rec-apply]").Click();

        page.WaitForAssertion(() => Assert.Contains(SnackbarMessages, m => m.Contains("waits for approval", StringComparison.Ordinal)));
        var request = Assert.Single(Approvals.All);
        Assert.Equal("instances.stop", request.KindName);
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Empty(Compute.Calls);
    }

    [Fact]
    public void Dismiss_WithoutAReason_IsRefusedAndKeepsTheRow_WithAReason_HidesIt()
    {
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<CostsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-dismiss]")));

        page.Find("[data-testid=rec-dismiss]").Click();
        page.Find("[data-testid=rec-dismiss-confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("Say why", page.Find("[data-testid=rec-dismiss-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(_store.Dismissals);

        page.Find("input[data-testid=rec-dismiss-reason]").Change("batch runs at quarter end");
        page.Find("[data-testid=rec-dismiss-confirm]").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-none]")));
        Assert.Equal("batch runs at quarter end", Assert.Single(_store.Dismissals).Reason);
    }

    [Fact]
    public void Page_ViewerOfTheAccount_SeesRecommendationsButCannotApplyOrDismiss()
    {
        SignIn("vera", Role.Viewer, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rec-row]")));
        Assert.Empty(page.FindAll("[data-testid=rec-apply]"));
        Assert.Empty(page.FindAll("[data-testid=rec-dismiss]"));
        Assert.Empty(page.FindAll("[data-testid=cost-scan-now]"));
    }

    [Fact]
    public void Page_SomeoneOfAnotherScope_SeesNoSpendAndNoRecommendations()
    {
        SignIn("otto", Role.Operator, new Scope("333333333333", "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-none]")));
        Assert.NotNull(page.Find("[data-testid=cost-no-spend]"));
        Assert.Empty(page.FindAll("[data-testid=cost-mtd]"));
        Assert.DoesNotContain("dev-batch-03", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Amazon Elastic Compute Cloud", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_SomeoneOfAnotherScope_CannotApplyByKey()
    {
        var otto = SignIn("otto", Role.Operator, new Scope("333333333333", "*"));
        await using var scope = Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<CostRecommendations>()
            .ApplyAsync(otto.AsActor(Channel.Web), Recommendation.KeyOf(RecommendationKind.StopIdle, new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "i-0idle")));

        Assert.Equal(PortalOps.Domain.Actions.ActionStatus.NotFound, result.Status);
        Assert.Empty(Approvals.All);
    }

    [Fact]
    public void Page_RegionalScope_SeesRecommendationsButNotTheAccountBill()
    {
        SignIn("rosa", Role.Viewer, new Scope(TestData.SandboxAccount, TestData.EuWest));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rec-row]")));
        Assert.NotNull(page.Find("[data-testid=cost-no-spend]"));
    }

    private sealed class FakeSpend(TimeProvider clock) : ISpendSource
    {
        public Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default)
        {
            var lines = new List<SpendLine>();
            for (var d = query.From; d < query.To; d = d.AddDays(1))
            {
                lines.Add(new SpendLine(d, "Amazon Elastic Compute Cloud - Compute", d.Month == Start.Month ? 20 : 10));
                lines.Add(new SpendLine(d, "Amazon Simple Storage Service", 2));
            }

            return Task.FromResult(new SpendReport(query, lines, "USD", clock.GetUtcNow().AddMinutes(-12), false));
        }

        public Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
            Task.FromResult(new SpendForecast([new ForecastMonth(new DateOnly(2026, 11, 1), 1000, 900, 1100), new ForecastMonth(new DateOnly(2026, 12, 1), 1000, 900, 1100), new ForecastMonth(new DateOnly(2027, 1, 1), 1000, 900, 1100)], "USD", clock.GetUtcNow()));

        public Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<string>>(["team"]);
    }

    /// <summary>Recommendations in memory, scoped the way the database store scopes them (ReadScope.Covers on the footprint).</summary>
    private sealed class MemoryRecommendations : ICostRecommendationStore
    {
        public List<Recommendation> Items { get; } = [];

        public List<Dismissal> Dismissals { get; } = [];

        public Task ReplaceAsync(CostScanRecord scan, IReadOnlyList<Recommendation> found, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<Page<RecommendationView>> QueryAsync(RecommendationQuery query, CancellationToken cancellationToken = default)
        {
            var visible = Items.Where(r => query.VisibleTo is null || query.VisibleTo.Covers(r.Footprint))
                .Where(r => query.IncludeDismissed || !Dismissals.Any(d => d.RecommendationKey == r.Key && d.IsActive(query.Now)))
                .Select(View).ToList();
            return Task.FromResult(new Page<RecommendationView>(visible.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), visible.Count, query.PageIndex, query.PageSize));
        }

        public Task<RecommendationView?> FindAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult(Items.Where(r => r.Key == key).Select(View).FirstOrDefault());

        public async Task<SavingsTotals> TotalsAsync(ReadScope? visibleTo, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            var page = await QueryAsync(new RecommendationQuery(now, 0, 1000) { VisibleTo = visibleTo }, cancellationToken);
            return new SavingsTotals(page.TotalCount, page.Items.Sum(v => v.Recommendation.MonthlySaving), new Dictionary<RecommendationKind, (int, decimal)>());
        }

        public Task DismissAsync(Dismissal dismissal, CancellationToken cancellationToken = default)
        {
            Dismissals.Add(dismissal);
            return Task.CompletedTask;
        }

        public Task MarkAppliedAsync(string key, string summary, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<CostScanRecord?> LastScanAsync(CancellationToken cancellationToken = default) => Task.FromResult<CostScanRecord?>(null);

        private RecommendationView View(Recommendation r) =>
            new(r, Start, DateOnly.FromDateTime(Start.UtcDateTime), Dismissals.LastOrDefault(d => d.RecommendationKey == r.Key), null, null);
    }

    private sealed class NoResources : ICloudResources
    {
        public Task<IReadOnlyList<VolumeInfo>> VolumesAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<VolumeInfo>>([]);

        public Task<IReadOnlyList<SnapshotInfo>> SnapshotsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SnapshotInfo>>([]);

        public Task<IReadOnlyList<ImageInfo>> ImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ImageInfo>>([]);

        public Task<IReadOnlyList<SecurityGroupInfo>> SecurityGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SecurityGroupInfo>>([]);

        public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SubnetInfo>>([]);

        public Task<IReadOnlyList<KeyPairInfo>> KeyPairsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<KeyPairInfo>>([]);

        public Task<IReadOnlyList<AvailabilityZoneInfo>> AvailabilityZonesAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<AvailabilityZoneInfo>>([]);

        public Task<IReadOnlyList<InstanceTypeOffering>> InstanceTypeOfferingsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<InstanceTypeOffering>>([]);

        public Task<IReadOnlyList<SpotPrice>> SpotPriceHistoryAsync(CloudScope scope, IReadOnlyList<string> instanceTypes, DateTimeOffset since, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SpotPrice>>([]);
    }
}
