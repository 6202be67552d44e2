using System.ComponentModel.DataAnnotations;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Costs;

/// <summary>Budgets, anomaly detection, realized savings and the weekly digest (section "Costs", beside the scan's settings).</summary>
public sealed class CostWatchOptions
{
    /// <summary>When budgets and anomalies are judged and realized savings settled (cron, UTC); hourly by default.</summary>
    [Required]
    public string WatchCron { get; set; } = "41 * * * *";

    /// <summary>When the weekly digest goes to subscribed chats (cron, UTC); Mondays 07:00 by default.</summary>
    [Required]
    public string DigestCron { get; set; } = "0 7 * * 1";

    /// <summary>Earlier same weekdays that make a day's typical range.</summary>
    [Range(3, 12)]
    public int AnomalyWeeks { get; set; } = 6;

    /// <summary>Standard deviations above the mean where the range ends.</summary>
    [Range(1.0, 10.0)]
    public double AnomalySigmas { get; set; } = 3;

    /// <summary>The range ends at least this fraction above the mean.</summary>
    [Range(0.0, 5.0)]
    public double AnomalyMinimumRise { get; set; } = 0.2;

    /// <summary>A day must be at least this many USD above the mean to be an anomaly.</summary>
    [Range(0.0, 1_000_000.0)]
    public double AnomalyMinimumUsd { get; set; } = 10;

    public AnomalySettings ToSettings() => new()
    {
        Weeks = AnomalyWeeks, Sigmas = (decimal)AnomalySigmas, MinimumRise = (decimal)AnomalyMinimumRise, MinimumAmount = (decimal)AnomalyMinimumUsd,
    };
}

/// <summary>
/// Judges budgets and yesterday's spend, opening alerts once per crossing (their ids are their keys), and settles realized savings from
/// the approvals' outcomes. Safe to run twice and on two nodes: a second run finds the alerts and the settled records.
/// </summary>
public sealed partial class CostWatchJob(CostWatch watch, SavingsTracker savings, IOptions<CostsOptions> options, ILogger<CostWatchJob> logger)
{
    [JobDisplayName("Watch budgets and spend")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var settled = await savings.SettleAsync(cancellationToken);
        var s = await watch.RunAsync(cancellationToken);
        LogWatched(logger, s.Budgets, s.BudgetAlerts, s.Anomalies, s.Resolved, settled, s.Errors.Count);
        foreach (var error in s.Errors)
        {
            LogError(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cost watch: {Budgets} budget(s), {BudgetAlerts} budget alert(s) and {Anomalies} anomaly alert(s) opened, {Resolved} resolved, {Settled} saving(s) settled, {Errors} error(s).")]
    private static partial void LogWatched(ILogger logger, int budgets, int budgetAlerts, int anomalies, int resolved, int settled, int errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cost watch: {Error}")]
    private static partial void LogError(ILogger logger, string error);
}

/// <summary>Sends last week's cost digest to every subscribed chat that has not had it (one per chat and ISO week).</summary>
public sealed partial class CostDigestJob(Telegram.Costs.CostDigest digest, ILogger<CostDigestJob> logger)
{
    [JobDisplayName("Weekly cost digest")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sent = await digest.SendAsync(cancellationToken);
        LogSent(logger, sent);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cost digest: sent to {Chats} chat(s).")]
    private static partial void LogSent(ILogger logger, int chats);
}

/// <summary>Registers the watch and digest schedules at start.</summary>
internal sealed class CostWatchStart(IServiceProvider services, IOptions<CostWatchOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterCostWatch(manager, options.Value.WatchCron, options.Value.DigestCron);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class CostWatchServiceCollectionExtensions
{
    /// <summary>Budgets (edited through the pipeline), the spend watch (budget and anomaly alerts), realized savings and the weekly digest.</summary>
    public static IServiceCollection AddCostWatch(this IServiceCollection services)
    {
        services.AddSectionOptions<CostWatchOptions>(CostsOptions.Section);
        services.TryAddSingleton<IBudgetStore, EfBudgetStore>();
        services.TryAddSingleton<ISavingsStore, EfSavingsStore>();
        services.TryAddScoped<BudgetActions>();
        services.AddScoped<IActionExecutor, BudgetActionExecutor>();
        services.TryAddScoped(sp => new CostWatch(
            sp.GetRequiredService<IBudgetStore>(), sp.GetRequiredService<CostOverview>(), sp.GetRequiredService<ISpendSource>(), sp.GetRequiredService<Domain.Accounts.ICloudProvider>(),
            sp.GetRequiredService<Domain.Monitoring.IAlertStore>(), sp.GetRequiredService<Domain.Security.IUserStore>(), sp.GetRequiredService<Domain.Notifications.INotifier>(),
            sp.GetRequiredService<TimeProvider>())
        {
            Anomalies = sp.GetRequiredService<IOptions<CostWatchOptions>>().Value.ToSettings(),
        });
        services.TryAddScoped<SavingsTracker>();
        services.TryAddScoped<Telegram.Costs.CostDigest>();
        services.TryAddTransient<CostWatchJob>();
        services.TryAddTransient<CostDigestJob>();
        services.AddHostedService<CostWatchStart>();
        services.AddHostedService<Sandbox.SandboxBudgets>();
        return services;
    }
}
