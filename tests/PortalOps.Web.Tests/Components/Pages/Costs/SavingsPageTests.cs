using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Costs;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Costs;

public sealed class SavingsPageTests : PortalTestContext
{
    private readonly MemorySavings _savings = new();

    public SavingsPageTests()
    {
        Services.AddSingleton<ISavingsStore>(_savings);
        Services.AddScoped<SavingsTracker>();
        var resize = new Recommendation(RecommendationKind.Rightsize, new InstanceRef(TestData.SandboxAccount, "us-east-1", "i-0cache"), "cache-01",
            new Dictionary<string, string> { ["team"] = "data" }, "m5.xlarge", "m5.large", 70.08m, Confidence.High, []);
        _savings.AddAsync(AppliedSaving.Of(resize, null, "olga", Start.AddDays(-10))).GetAwaiter().GetResult();
        var other = resize with { Resource = new InstanceRef("222222222222", "us-east-1", "i-0other"), ResourceName = "other-db" };
        _savings.AddAsync(AppliedSaving.Of(other, null, "omar", Start.AddDays(-5))).GetAwaiter().GetResult();
    }

    [Fact]
    public void Page_PersonOfTheAccount_SeesTheRunningTotalChartAndTheirChange_WithCsv()
    {
        SignIn("vera", Role.Viewer, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<SavingsPage>();

        // 70.08 USD a month for ten days (240 of 730 hours).
        page.WaitForAssertion(() => Assert.Equal("23.04 USD", page.Find("[data-testid=savings-total]").TextContent));
        Assert.Equal("70.08 USD/mo", page.Find("[data-testid=savings-rate]").TextContent);
        Assert.NotNull(page.Find("[data-testid=savings-chart]"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=savings-row]")));
        Assert.Contains("Resize cache-01 from m5.xlarge to m5.large", page.Find("[data-testid=savings-row]").TextContent, StringComparison.Ordinal);
        Assert.Contains("140.16 USD → 70.08 USD", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("other-db", page.Markup, StringComparison.Ordinal);
        Assert.Equal("/costs/savings.csv", page.Find("[data-testid=savings-csv]").GetAttribute("href"));
    }

    [Fact]
    public void Page_SomeoneOfAnotherScope_SeesNothingSaved()
    {
        SignIn("otto", Role.Operator, new Scope("333333333333", "*"));

        var page = RenderPage<SavingsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=savings-none]")));
        Assert.Equal("0.00 USD", page.Find("[data-testid=savings-total]").TextContent);
        Assert.DoesNotContain("cache-01", page.Markup, StringComparison.Ordinal);
    }

    private sealed class MemorySavings : ISavingsStore
    {
        private readonly List<AppliedSaving> _all = [];

        public Task AddAsync(AppliedSaving saving, CancellationToken cancellationToken = default)
        {
            _all.Add(saving);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AppliedSaving>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<AppliedSaving>>(_all.Where(s => visibleTo is null || visibleTo.Covers(s.Footprint)).ToList());

        public async Task<Page<AppliedSaving>> QueryAsync(ReadScope? visibleTo, SavingState? state, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
        {
            var rows = (await ListAsync(visibleTo, cancellationToken)).Where(s => state is null || s.State == state).ToList();
            return new Page<AppliedSaving>(rows.Skip(pageIndex * pageSize).Take(pageSize).ToList(), rows.Count, pageIndex, pageSize);
        }

        public Task<IReadOnlyList<AppliedSaving>> ListPendingAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<AppliedSaving>>(_all.Where(s => s.State == SavingState.Pending).ToList());

        public Task SettleAsync(Guid id, SavingState state, DateTimeOffset? realizedAt, string? outcome, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
