using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Costs;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Costs;

public sealed class BudgetsPageTests : PortalTestContext
{
    private readonly MemoryBudgets _budgets = new();
    private readonly FakeAlertStore _alerts = new();

    public BudgetsPageTests()
    {
        Services.AddSingleton<ISpendSource>(new DailySpend(Clock));
        Services.AddSingleton<IBudgetStore>(_budgets);
        Services.AddSingleton<IAlertStore>(_alerts);
        Services.AddScoped<CostOverview>();
        Services.AddScoped<BudgetActions>();
        Services.AddScoped<IActionExecutor, BudgetActionExecutor>();
        Services.AddScoped<CostWatch>();
        _budgets.SaveAsync(new Budget(new BudgetScope(TestData.SandboxAccount), "Sandbox", 1000m, [50, 80, 100], true, 1, "test", Start)).GetAwaiter().GetResult();
        var member = new AlertMember(new InstanceRef(TestData.SandboxAccount, "*", "budget"), "Sandbox", Start, 52.8, "528 of 1,000");
        _alerts.AddAsync(Alert.OpenFor(Guid.NewGuid(), AlertSources.CostBudget, "Budget Sandbox: 50 % spent", "Sandbox: 528.00 USD spent", Severity.Warning, [member], Start)).GetAwaiter().GetResult();
    }

    [Fact]
    public void Page_OperatorOfTheAccount_SeesTheMonthAgainstTheBudget_AndItsAlert()
    {
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<BudgetsPage>();

        page.WaitForAssertion(() => Assert.Contains("528.00 USD of 1,000.00 USD spent (52.8 %)", page.Find("[data-testid=budget-actual]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Budget Sandbox: 50 % spent", page.Find("[data-testid=cost-alerts]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=budget-edit]"));
    }

    [Fact]
    public void Edit_AmountOfZero_IsRefusedAtTheField_ThenAPositiveAmountIsSavedThroughThePipeline()
    {
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<BudgetsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=budget-edit]")));
        page.Find("[data-testid=budget-edit]").Click();

        page.Find("input[data-testid=budget-amount]").Input("0");
        page.Find("[data-testid=budget-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("A budget must be more than 0 USD a month.", page.Find("[data-testid=budget-form]").TextContent, StringComparison.Ordinal));
        Assert.Equal(1, _budgets.Find(TestData.SandboxAccount)!.Version);
        Assert.Empty(AuditLog.Records);

        page.Find("input[data-testid=budget-amount]").Input("1500");
        page.Find("[data-testid=budget-save]").Click();

        page.WaitForAssertion(() => Assert.Contains(SnackbarMessages, m => m.Contains("Budget Sandbox for 000000000000: 1,500.00 USD a month", StringComparison.Ordinal)));
        Assert.Equal((1500m, 2), (_budgets.Find(TestData.SandboxAccount)!.MonthlyAmount, _budgets.Find(TestData.SandboxAccount)!.Version));
        Assert.Contains(AuditLog.Records, r => r.Event.Action == ActionKind.SaveBudget.Name);
    }

    [Fact]
    public void New_TagKeyThatIsNotACostAllocationTag_SaysHowToActivateIt_AtTheField()
    {
        SignIn("olga", Role.Operator, new Scope(TestData.SandboxAccount, "*"));
        var page = RenderPage<BudgetsPage>();
        page.Find("[data-testid=budget-new]").Click();
        page.Find("input[data-testid=budget-name]").Input("Owner Ann");
        page.Find("input[data-testid=budget-amount]").Input("300");
        page.Find("input[data-testid=budget-tag-key]").Change("owner");
        page.Find("input[data-testid=budget-tag-value]").Change("ann");

        page.Find("[data-testid=budget-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("'owner' is not an active cost-allocation tag (active: team)", page.Find("[data-testid=budget-form]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Billing console under Cost allocation tags", page.Markup, StringComparison.Ordinal);
        Assert.Single(_budgets.All);
    }

    [Fact]
    public void Page_Viewer_SeesBudgetsWithoutEditing()
    {
        SignIn("vera", Role.Viewer, new Scope(TestData.SandboxAccount, "*"));

        var page = RenderPage<BudgetsPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=budget-row]")));
        Assert.Empty(page.FindAll("[data-testid=budget-edit]"));
        Assert.Empty(page.FindAll("[data-testid=budget-new]"));
    }

    [Fact]
    public async Task Page_SomeoneOfAnotherScope_SeesNoBudgetAndNoAlert_AndCannotSaveForTheAccount()
    {
        var otto = SignIn("otto", Role.Operator, new Scope("333333333333", "*"));

        var page = RenderPage<BudgetsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=budget-none]")));
        Assert.NotNull(page.Find("[data-testid=cost-alerts-none]"));
        Assert.DoesNotContain("Sandbox", page.Find("[data-testid=budget-none]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("528", page.Markup, StringComparison.Ordinal);

        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<BudgetActions>()
            .SaveAsync(otto.AsActor(Domain.Common.Channel.Web), new BudgetDraft { Name = "Mine", Account = TestData.SandboxAccount, MonthlyAmount = 1m }, "k");
        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal(1000m, _budgets.Find(TestData.SandboxAccount)!.MonthlyAmount);
    }

    /// <summary>22 USD a day (EC2 for team payments, S3 untagged), cost-allocation tag "team".</summary>
    internal sealed class DailySpend(TimeProvider clock) : ISpendSource
    {
        public Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default)
        {
            var lines = new List<SpendLine>();
            for (var d = query.From; d < query.To; d = d.AddDays(1))
            {
                lines.Add(new SpendLine(d, query.GroupBy == SpendDimension.Tag ? "payments" : "Amazon Elastic Compute Cloud - Compute", 20));
                lines.Add(new SpendLine(d, query.GroupBy == SpendDimension.Tag ? "(untagged)" : "Amazon Simple Storage Service", 2));
            }

            return Task.FromResult(new SpendReport(query, lines, "USD", clock.GetUtcNow(), false));
        }

        public Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
            Task.FromResult(new SpendForecast([new ForecastMonth(new DateOnly(from.Year, from.Month, 1), 132, 120, 140)], "USD", clock.GetUtcNow()));

        public Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<string>>(["team"]);
    }

    internal sealed class MemoryBudgets : IBudgetStore
    {
        private readonly Dictionary<string, Budget> _all = new(StringComparer.Ordinal);

        public IReadOnlyCollection<Budget> All => _all.Values;

        public Budget? Find(string key) => _all.GetValueOrDefault(key);

        public Task<IReadOnlyList<Budget>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<Budget>>(_all.Values.Where(b => visibleTo is null || visibleTo.Covers(b.Footprint)).OrderBy(b => b.Name).ToList());

        public Task<Budget?> FindAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(Find(key));

        public Task<bool> SaveAsync(Budget budget, CancellationToken cancellationToken = default)
        {
            if ((Find(budget.Key)?.Version ?? 0) != budget.Version - 1)
            {
                return Task.FromResult(false);
            }

            _all[budget.Key] = budget;
            return Task.FromResult(true);
        }

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(_all.Remove(key));
    }
}
