using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Costs;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox starts with two budgets the watch has something to say about: the account's, set so this month's estimate is 95 % of it
/// (past 50 and 80 % forecast, close to 100 %), and the largest team's, set so its run rate ends the month at about 78 % of it (past 50 % forecast, just under 80 %).
/// Added once, when there are no budgets; afterwards people change them on the Budgets page like any other.
/// </summary>
internal sealed partial class SandboxBudgets(IServiceScopeFactory scopes, ICloudProvider cloud, TimeProvider clock, ILogger<SandboxBudgets> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!cloud.IsSandbox)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IBudgetStore>();
            if ((await store.ListAsync(null, cancellationToken)).Count > 0)
            {
                return;
            }

            var watch = scope.ServiceProvider.GetRequiredService<CostWatch>();
            var now = clock.GetUtcNow();
            var account = new Budget(new BudgetScope(SandboxFleet.AccountId), "Sandbox account", 1m, Budget.DefaultThresholds, true, 1, "sandbox", now);
            var estimate = (await watch.StatusAsync(account, cancellationToken)).Forecast;
            if (estimate > 0)
            {
                await store.SaveAsync(account with { MonthlyAmount = decimal.Round(estimate / 0.95m, 0) }, cancellationToken);
            }

            var spend = scope.ServiceProvider.GetRequiredService<ISpendSource>();
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var byTeam = await spend.GetAsync(new SpendQuery(today.AddDays(-30), today, SpendGranularity.Daily, SpendDimension.Tag, [SandboxFleet.AccountId], "team"), cancellationToken);
            if (byTeam.ByGroup().FirstOrDefault(g => g.Group != SandboxSpend.Untagged) is { Group: { Length: > 0 } team, Amount: > 0 } top)
            {
                var monthly = top.Amount / 30m * DateTime.DaysInMonth(today.Year, today.Month);
                await store.SaveAsync(new Budget(new BudgetScope(SandboxFleet.AccountId, "team", team), $"Team {team}", decimal.Round(monthly / 0.78m, 0), Budget.DefaultThresholds, true, 1, "sandbox", now), cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox budgets were not added.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
