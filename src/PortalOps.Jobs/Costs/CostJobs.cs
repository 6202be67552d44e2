using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Costs;

namespace PortalOps.Jobs.Costs;

/// <summary>
/// The daily cost scan (scheduled in <see cref="Scheduling.RecurringJobs"/>, and on demand). Keyed per day: the scheduled run does
/// nothing when today already has a scan, and a forced run replaces today's result, so running it twice, or on two nodes, leaves
/// one scan and one set of recommendations for the day.
/// </summary>
public sealed partial class CostScanJob(CostScanner scanner, ICostRecommendationStore store, TimeProvider clock, IOptions<CostsOptions> options, ILogger<CostScanJob> logger)
{
    [JobDisplayName("Scan costs")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 1800)]
    public async Task RunAsync(bool force, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (!force && (await store.LastScanAsync(cancellationToken))?.Day == today)
        {
            LogSkipped(logger, today);
            return;
        }

        var s = await scanner.ScanAsync(cancellationToken);
        LogScanned(logger, s.Instances, s.Recommendations, s.MonthlySaving, s.MetricCalls, s.Errors.Count);
        if (s.ReservationsUnreported.Count > 0)
        {
            LogReservationsUnreported(logger, string.Join(", ", s.ReservationsUnreported));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cost scan: Reserved Instances not reported by the endpoint of {Regions}; their coverage is unknown.")]
    private static partial void LogReservationsUnreported(ILogger logger, string regions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cost scan: {Instances} instance(s), {Recommendations} recommendation(s) saving {Saving:0.00} USD/month; {Calls} metric call(s); {Errors} error(s).")]
    private static partial void LogScanned(ILogger logger, int instances, int recommendations, decimal saving, int calls, int errors);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cost scan: {Day} already scanned.")]
    private static partial void LogSkipped(ILogger logger, DateOnly day);
}

/// <summary>Asks for a scan now (the page's "Scan now"); it runs on whichever node has a worker and replaces today's result.</summary>
public sealed class CostScanRequests(IBackgroundJobClient jobs)
{
    public string Request() => jobs.Enqueue<CostScanJob>(job => job.RunAsync(true, CancellationToken.None));
}

/// <summary>Registers the cost schedule at start and, when set, asks for today's scan if there is none yet.</summary>
internal sealed class CostsStart(IServiceProvider services, IOptions<CostsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterCosts(manager, options.Value.ScanCron);
            manager.AddOrUpdate<PriceRefreshJob>(PriceRefreshJob.Id, job => job.RunAsync(false, CancellationToken.None), options.Value.PriceRefreshCron);
            manager.AddOrUpdate<ScheduledResizesJob>(ScheduledResizesJob.Id, job => job.RunAsync(CancellationToken.None), $"*/{options.Value.ScheduledResizeMinutes} * * * *");
            if (options.Value.Enabled && options.Value.ScanAtStart)
            {
                manager.Trigger(Scheduling.RecurringJobs.CostScan);
            }

            if (options.Value.Enabled)
            {
                // Reads the Price List at start only when the stored prices are a week old or missing (the job checks).
                manager.Trigger(PriceRefreshJob.Id);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Reads the AWS Price List into the database weekly (and at start when the stored prices are older than a week). Safe to run
/// twice: a read within the last seven days is not repeated unless forced.
/// </summary>
public sealed partial class PriceRefreshJob(PriceRefresher refresher, ILogger<PriceRefreshJob> logger)
{
    public const string Id = "costs.prices";

    [JobDisplayName("Read the AWS Price List")]
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(bool force, CancellationToken cancellationToken)
    {
        var r = await refresher.RefreshAsync(force, cancellationToken);
        LogRefreshed(logger, r.Message, r.Errors.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prices: {Message} {Errors} error(s).")]
    private static partial void LogRefreshed(ILogger logger, string message, int errors);
}

/// <summary>Runs the approved resizes whose time or maintenance window has come (every few minutes; a resize is claimed before it runs).</summary>
public sealed class ScheduledResizesJob(ScheduledResizeRunner runner)
{
    public const string Id = "costs.scheduled-resizes";

    [JobDisplayName("Run scheduled resizes")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 1800)]
    public Task RunAsync(CancellationToken cancellationToken) => runner.RunDueAsync(cancellationToken);
}
