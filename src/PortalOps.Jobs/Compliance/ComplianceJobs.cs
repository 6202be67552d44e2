using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Compliance;

namespace PortalOps.Jobs.Compliance;

/// <summary>
/// Scans every account × region and folds the violations into the findings (scheduled in <see cref="Scheduling.RecurringJobs"/>,
/// and on demand). One runs at a time across nodes; a second run finds the findings as the first left them, so it is safe twice.
/// </summary>
public sealed partial class ComplianceScanJob(ComplianceScanner scanner, IOptions<ComplianceOptions> options, ILogger<ComplianceScanJob> logger)
{
    [JobDisplayName("Scan compliance")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var o = await scanner.ScanAsync(cancellationToken);
        LogScanned(logger, o.Resources, o.Policies, o.Violations, o.New, o.Reopened, o.Resolved, o.FailedScopes.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compliance scan: {Resources} resource(s), {Policies} policies, {Violations} violation(s); {New} new, {Reopened} reopened, {Resolved} resolved; {Failed} account/region(s) unreadable.")]
    private static partial void LogScanned(ILogger logger, int resources, int policies, int violations, int @new, int reopened, int resolved, int failed);
}

/// <summary>Applies exceptions between scans, so one that expires reopens its findings (and tells its owner) within the hour.</summary>
public sealed class ComplianceWaiversJob(ComplianceScanner scanner, IOptions<ComplianceOptions> options)
{
    [JobDisplayName("Apply compliance exceptions")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            await scanner.ApplyWaiversAsync(cancellationToken);
        }
    }
}

/// <summary>Asks for a scan now (the web page's "Scan now"); it runs on whichever node has a worker.</summary>
public sealed class ComplianceScanRequests(IBackgroundJobClient jobs)
{
    public string Request() => jobs.Enqueue<ComplianceScanJob>(job => job.RunAsync(CancellationToken.None));
}

/// <summary>Registers the compliance schedules at start and, when set, asks for a first scan.</summary>
internal sealed class ComplianceStart(IServiceProvider services, IOptions<ComplianceOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterCompliance(manager, options.Value.ScanIntervalHours);
            if (options.Value.Enabled && options.Value.ScanAtStart)
            {
                manager.Trigger(Scheduling.RecurringJobs.ComplianceScan);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
