using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Costs;

/// <summary>Budgets, the spend watch and the pipeline over in-memory fakes, with a fake clock and a bill the test writes.</summary>
internal sealed class BudgetHarness
{
    public BudgetHarness(DateTimeOffset now)
    {
        Clock = new FakeTimeProvider(now);
        Pipeline = new ActionPipeline(new FakeInventory([]), [new BudgetActionExecutor(Budgets, Clock)], new FixedApprovalPolicyProvider(new ApprovalPolicy([], TimeSpan.FromHours(24))),
            Approvals, new RecordingScheduler(), Audit = new InMemoryAuditLog(Clock), Notifier, Users, Clock, new InMemoryActionLedger());
        Actions = new BudgetActions(Budgets, Spend, Cloud, Pipeline);
        Watch = new CostWatch(Budgets, new CostOverview(Spend, Clock), Spend, Cloud, Alerts, Users, Notifier, Clock);
    }

    public FakeTimeProvider Clock { get; }

    public InMemoryBudgetStore Budgets { get; } = new();

    public FakeBill Spend { get; } = new();

    public TwoAccounts Cloud { get; } = new();

    public InMemoryAlertStore Alerts { get; } = new();

    public InMemoryUserStore Users { get; } = new();

    public RecordingNotifier Notifier { get; } = new();

    public InMemoryApprovalStore Approvals { get; } = new();

    public InMemoryAuditLog Audit { get; }

    public ActionPipeline Pipeline { get; }

    public BudgetActions Actions { get; }

    public CostWatch Watch { get; }

    public Task SaveAsync(BudgetScope scope, decimal amount, params int[] thresholds) =>
        Budgets.SaveAsync(new Budget(scope, "Prod", amount, thresholds.Length == 0 ? Budget.DefaultThresholds : thresholds, true, 1, "test", Clock.GetUtcNow()));
}

internal sealed class TwoAccounts : ICloudProvider
{
    public string Name => "AWS";

    public bool IsSandbox => false;

    public IReadOnlyList<CloudAccount> Accounts { get; } = [new(Make.ProdAccount, "prod", ["eu-west-1"]), new(Make.DevAccount, "dev", ["eu-west-1"])];
}

/// <summary>A bill per account and day: <see cref="Daily"/> gives each day's amount by service (and team tag value); the forecast adds <see cref="RestOfMonth"/>.</summary>
internal sealed class FakeBill : ISpendSource
{
    public Func<string, DateOnly, IReadOnlyList<(string Service, string Team, decimal Amount)>> Daily { get; set; } =
        (_, _) => [("Amazon Elastic Compute Cloud - Compute", "payments", 20m), ("Amazon Simple Storage Service", "web", 5m)];

    public decimal RestOfMonth { get; set; }

    public IReadOnlyList<string> Tags { get; set; } = ["team"];

    public int Calls { get; private set; }

    public Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default)
    {
        Calls++;
        var lines = new List<SpendLine>();
        foreach (var account in query.Accounts)
        {
            for (var d = query.From; d < query.To; d = d.AddDays(1))
            {
                foreach (var (service, team, amount) in Daily(account, d))
                {
                    lines.Add(new SpendLine(d, query.GroupBy == SpendDimension.Tag ? team : service, amount));
                }
            }
        }

        return Task.FromResult(new SpendReport(query, lines, "USD", DateTimeOffset.UnixEpoch, false));
    }

    public Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        Task.FromResult(new SpendForecast([new ForecastMonth(new DateOnly(from.Year, from.Month, 1), RestOfMonth, RestOfMonth, RestOfMonth)], "USD", DateTimeOffset.UnixEpoch));

    public Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) => Task.FromResult(Tags);
}

internal sealed class InMemoryBudgetStore : IBudgetStore
{
    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<Budget>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Budget>>(_budgets.Values.Where(b => visibleTo is null || visibleTo.Covers(b.Footprint)).OrderBy(b => b.Name).ToList());

    public Task<Budget?> FindAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(_budgets.GetValueOrDefault(key));

    public Task<bool> SaveAsync(Budget budget, CancellationToken cancellationToken = default)
    {
        var current = _budgets.GetValueOrDefault(budget.Key);
        if ((current?.Version ?? 0) != budget.Version - 1)
        {
            return Task.FromResult(false);
        }

        _budgets[budget.Key] = budget;
        return Task.FromResult(true);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(_budgets.TryRemove(key, out _));
}
