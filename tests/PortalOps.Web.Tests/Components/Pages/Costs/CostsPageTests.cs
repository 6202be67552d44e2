using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
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

    private void AddNewKinds()
    {
        var ours = new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "i-0worker");
        _store.Items.AddRange(
        [
            new Recommendation(RecommendationKind.Spot, ours, "prod-worker-02", new Dictionary<string, string> { ["team"] = "data" }, "m5.large", "m5.large", 53.29m, Confidence.Medium,
                ["Stateless: tagged portalops:stateless=true", "Interruption risk < 5 % a month (estimated)"]),
            new Recommendation(RecommendationKind.ReservedInstances, new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "ri:m5.large"), "3 × m5.large", new Dictionary<string, string>(),
                null, "3 × m5.large", 77.38m, Confidence.High, ["Cost Explorer recommends 3 × m5.large"]),
            new Recommendation(RecommendationKind.SavingsPlans, new InstanceRef(TestData.SandboxAccount, "global", "sp:COMPUTE_SP"), "Compute Savings Plan 0.42 USD/hour", new Dictionary<string, string>(),
                null, "0.42 USD/hour", 95.12m, Confidence.Medium, ["Cost Explorer recommends a Compute Savings Plan"]),
            new Recommendation(RecommendationKind.OldSnapshot, new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "snap-0old"), "pre-migration-2025 (snap-0old)", new Dictionary<string, string>(),
                "snapshot", null, 6m, Confidence.Medium, ["120 GiB, taken 200 days ago"]),
            new Recommendation(RecommendationKind.Spot, new InstanceRef(Other, TestData.EuWest, "i-0otherworker"), "other-worker", new Dictionary<string, string>(), "c5.large", "c5.large", 40m, Confidence.High, ["Stateless"]),
            new Recommendation(RecommendationKind.ReservedInstances, new InstanceRef(Other, TestData.EuWest, "ri:c5.large"), "5 × c5.large", new Dictionary<string, string>(), null, "5 × c5.large", 99m, Confidence.High, ["other account"]),
        ]);
        Services.AddSingleton<IPriceStore>(new FixedPrices(new PriceBook([new ListedPrice(TestData.EuWest, "m5.large", 0.107m, new DateOnly(2026, 11, 1))], new DateTimeOffset(2026, 11, 30, 3, 41, 0, TimeSpan.Zero))));
        Services.AddSingleton<ICostCoverageStore>(new FixedCoverage(new CoverageView(new DateOnly(2026, 12, 1),
        [
            new CoverageRow(TestData.SandboxAccount, TestData.EuWest, "m5.large", 4, 2, 156.22m),
            new CoverageRow(Other, TestData.EuWest, "c5.large", 9, 0, 620m),
        ])));
    }

    [Fact]
    public void Page_OperatorOfTheAccount_SeesSpotReservedSavingsPlansAndOldSnapshots_CoverageAndThePriceSource()
    {
        AddNewKinds();
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-testid=rec-row]").Count));
        var text = page.Find("[data-testid=rec-grid]").TextContent;
        Assert.Contains("Run prod-worker-02 (m5.large) on Spot", text, StringComparison.Ordinal);
        Assert.Contains("Interruption risk < 5 %", text, StringComparison.Ordinal);
        Assert.Contains("Reserve 3 × m5.large in eu-west-1", text, StringComparison.Ordinal);
        Assert.Contains("Commit to a Compute Savings Plan of 0.42 USD/hour", text, StringComparison.Ordinal);
        Assert.Contains("Delete old snapshot pre-migration-2025 (snap-0old)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other-worker", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("5 × c5.large", page.Markup, StringComparison.Ordinal);
        // Purchases and Spot moves are the owner's decision: no Apply; the snapshot and the idle stop have one.
        Assert.Equal(3, page.FindAll("[data-testid=rec-informational]").Count);
        Assert.Equal(2, page.FindAll("[data-testid=rec-apply]").Count);
        Assert.Contains("AWS Price List as of 2026-11-30 03:41 UTC", page.Find("[data-testid=rec-prices]").TextContent, StringComparison.Ordinal);
        Assert.Contains("covered by reservations: 50", page.Find("[data-testid=cost-coverage-summary]").TextContent, StringComparison.Ordinal);
        var coverage = page.Find("[data-testid=cost-coverage]").TextContent;
        Assert.Contains("m5.large", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("c5.large", coverage, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=rec-timing]"));
    }

    [Fact]
    public void Page_SomeoneOfAnotherScope_SeesNoneOfTheNewKindsAndNoCoverage()
    {
        AddNewKinds();
        SignIn("otto", Role.Operator, new Scope("333333333333", "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-none]")));
        Assert.Empty(page.FindAll("[data-testid=cost-coverage]"));
        Assert.DoesNotContain("Spot", page.Find("[data-testid=rec-grid]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Reserve", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("snap-0old", page.Markup, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=rec-prices]")); // prices are public; which source is said to everyone
    }

    [Fact]
    public void Page_RegionWhoseEndpointDoesNotListReservations_SaysNotReported_InsteadOfNone()
    {
        AddNewKinds();
        Services.AddSingleton<ICostCoverageStore>(new FixedCoverage(new CoverageView(new DateOnly(2026, 12, 1),
        [
            new CoverageRow(TestData.SandboxAccount, TestData.EuWest, "m5.large", 4, 2, 156.22m),
            new CoverageRow(TestData.SandboxAccount, "us-east-1", "t3.micro", 3, 0, 22.78m, ReservationsReported: false),
            new CoverageRow(TestData.SandboxAccount, "ap-south-1", string.Empty, 0, 0, 0, ReservationsReported: false),
        ])));
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=cost-coverage-unreported]")));
        Assert.Contains($"not reported by this endpoint for {TestData.SandboxAccount}/ap-south-1, {TestData.SandboxAccount}/us-east-1", page.Find("[data-testid=cost-coverage-unreported]").TextContent, StringComparison.Ordinal);
        var row = Assert.Single(page.FindAll("[data-testid=cost-coverage-row-unreported]")).TextContent;
        Assert.Contains("t3.micro", row, StringComparison.Ordinal);
        Assert.Contains("not reported by this endpoint", row, StringComparison.Ordinal);
        // 2 of the 4 reported m5.large are covered; the unknown region's 3 are left out rather than counted uncovered.
        Assert.Contains("covered by reservations: 50", page.Find("[data-testid=cost-coverage-summary]").TextContent, StringComparison.Ordinal);
    }

    private sealed class FixedPrices(PriceBook book) : IPriceStore
    {
        public Task<PriceBook> LoadAsync(CancellationToken cancellationToken = default) => Task.FromResult(book);

        public Task SaveAsync(IReadOnlyList<ListedPrice> prices, DateTimeOffset fetchedAt, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed class FixedCoverage(CoverageView view) : ICostCoverageStore
    {
        public Task ReplaceAsync(DateOnly day, IReadOnlyList<CoverageRow> rows, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<CoverageView?> LatestAsync(IReadOnlySet<string>? accounts, CancellationToken cancellationToken = default)
        {
            var rows = view.Rows.Where(r => accounts is null || accounts.Contains(r.AccountId)).ToList();
            return Task.FromResult(rows.Count == 0 ? null : view with { Rows = rows });
        }
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

    private ScheduleList AddSchedules()
    {
        var schedules = new ScheduleList();
        schedules.Items.Add(OffHours("office-hours", TestData.SandboxAccount));
        schedules.Items.Add(OffHours("long-day", TestData.SandboxAccount));
        schedules.Items.Add(OffHours("other-account", Other));
        var settings = new OffHoursSettings();
        Services.AddSingleton(settings);
        Services.AddSingleton<IOffHoursStore>(schedules);
        Services.AddScoped<RecommendationSchedules>();
        return schedules;
    }

    private static SavedSchedule OffHours(string name, string account) =>
        new(Guid.NewGuid(), 1, new ScheduleContent(name, "Europe/Berlin",
            ScheduleDraft.Week.Take(5).Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(), [], account),
            Guid.Empty, "test", Start.AddDays(-10));

    private static Task ChooseAsync(IRenderedComponent<CostsPage> page, string schedule) =>
        page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => s.Instance.Label == "Schedule").Instance.ValueChanged.InvokeAsync(schedule));

    [Fact]
    public async Task AttachSchedule_Operator_PicksOneOfTheirSchedules_AndOnePressSubmitsOneTagEditThatWaitsForApproval()
    {
        AddSchedules();
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<CostsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-schedule]")));

        page.Find("[data-testid=rec-schedule]").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-schedule-form]")));
        var offered = page.FindComponents<MudBlazor.MudSelectItem<string>>().Select(i => i.Instance.Value).ToList();
        Assert.Equal(["long-day", "office-hours"], offered); // not the other account's schedule
        Assert.Contains("Schedule=", page.Find("[data-testid=rec-schedule-form]").TextContent, StringComparison.Ordinal);
        await ChooseAsync(page, "office-hours");
        page.Find("[data-testid=rec-schedule-confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains(SnackbarMessages, m => m.Contains("waits for approval", StringComparison.Ordinal)));
        var request = Assert.Single(Approvals.All);
        Assert.Equal(("instances.tags", "Cost recommendation"), (request.KindName, request.Rule));
        Assert.Equal("office-hours", request.Parameters["tag:Schedule"]);
        Assert.Equal("i-0idle", Assert.Single(request.Targets).Ref.InstanceId);
        Assert.Empty(page.FindAll("[data-testid=rec-schedule-form]"));
        Assert.Empty(Compute.Calls);
    }

    [Fact]
    public void AttachSchedule_Viewer_HasNoButton()
    {
        AddSchedules();
        SignIn("vera", Role.Viewer, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<CostsPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rec-row]")));
        Assert.Empty(page.FindAll("[data-testid=rec-schedule]"));
        Assert.Empty(page.FindAll("[data-testid=rec-schedule-form]"));
    }

    [Fact]
    public async Task AttachSchedule_Viewer_IsRefusedByKeyToo()
    {
        AddSchedules();
        var vera = SignIn("vera", Role.Viewer, new Scope(TestData.SandboxAccount, "*"));
        await using var scope = Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<RecommendationSchedules>()
            .AttachAsync(vera.AsActor(Channel.Web), Recommendation.KeyOf(RecommendationKind.StopIdle, new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "i-0idle")), "office-hours");

        Assert.Equal(PortalOps.Domain.Actions.ActionStatus.Refused, result.Status);
        Assert.Contains("needs the Operator role", result.Message, StringComparison.Ordinal);
        Assert.Empty(Approvals.All);
    }

    [Fact]
    public async Task AttachSchedule_InstanceFollowingAnotherSchedule_ShowsWhichOne_AndSubmitsNothing()
    {
        AddSchedules();
        var night = new Recommendation(RecommendationKind.StopIdle, new InstanceRef(TestData.SandboxAccount, TestData.EuWest, "i-0night"), "night-batch",
            new Dictionary<string, string> { ["team"] = "data" }, "m5.large", null, 60m, Confidence.High, ["CPU p95 0.8 %"]);
        _store.Items.Add(night);
        Inventory.Add(new Instance(night.Resource, "night-batch", "m5.large", InstanceState.Running, "eu-west-1a", "Linux/UNIX", Start.AddDays(-40),
            new Dictionary<string, string> { ["team"] = "data", ["Schedule"] = "night-shift" }, []));
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<CostsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=rec-schedule]").Count));

        page.FindAll("[data-testid=rec-schedule]")[1].Click();
        await ChooseAsync(page, "office-hours");
        page.Find("[data-testid=rec-schedule-confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("i-0night follows another schedule, night-shift (Schedule=night-shift)", page.Find("[data-testid=rec-schedule-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(Approvals.All);
        Assert.NotNull(page.Find("[data-testid=rec-schedule-form]"));
    }

    [Fact]
    public async Task AttachSchedule_ScheduleRemovedMeanwhile_ShowsThatItDoesNotExist_AndSubmitsNothing()
    {
        var schedules = AddSchedules();
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<CostsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-schedule]")));
        page.Find("[data-testid=rec-schedule]").Click();
        await ChooseAsync(page, "long-day");

        schedules.Items.RemoveAll(s => s.Name == "long-day");
        page.Find("[data-testid=rec-schedule-confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal("There is no off-hours schedule called long-day.", page.Find("[data-testid=rec-schedule-error]").TextContent));
        Assert.Empty(Approvals.All);
    }

    [Fact]
    public void AttachSchedule_NoScheduleActsThere_SaysSoAndWhereToMakeOne()
    {
        var schedules = AddSchedules();
        schedules.Items.RemoveAll(s => s.Content.AccountId == TestData.SandboxAccount);
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<CostsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=rec-schedule]")));

        page.Find("[data-testid=rec-schedule]").Click();

        page.WaitForAssertion(() => Assert.Contains($"acts in {TestData.SandboxAccount}/{TestData.EuWest}", page.Find("[data-testid=rec-schedule-none]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=rec-schedule-confirm]"));
    }

    /// <summary>Off-hours schedules in memory: only the listing matters here.</summary>
    private sealed class ScheduleList : IOffHoursStore
    {
        public List<SavedSchedule> Items { get; } = [];

        public Task<IReadOnlyList<SavedSchedule>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SavedSchedule>>(Items.ToList());

        public Task<SavedSchedule?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Items.FirstOrDefault(s => s.Id == id));

        public Task<IReadOnlyList<SavedSchedule>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<SavedSchedule>>(Items.Where(s => s.Id == id).ToList());

        public Task AddVersionAsync(SavedSchedule schedule, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> AddOverrideAsync(ScheduleOverride value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ScheduleOverride>> OverridesEndingSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ScheduleOverride>>([]);

        public Task<bool> TryClaimAsync(EdgeRecord record, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<EdgeRecord?> FindRecordAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult<EdgeRecord?>(null);

        public Task CompleteAsync(string key, EdgeOutcome outcome, string? summary, DateTimeOffset at, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<EdgeRecord>> RecordsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<EdgeRecord>>([]);

        public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Task.FromResult(0);
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
