using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Patching;

namespace PortalOps.Jobs.Patching;

/// <summary>
/// The scheduled scan (<see cref="Scheduling.RecurringJobs"/>): a few lines over <see cref="PatchScanner"/>. Safe twice and on any node:
/// the Scan command is claimed per account and region in the database, and storing states again changes nothing.
/// </summary>
public sealed partial class PatchScanJob(PatchScanner scanner, IOptions<PatchingOptions> options, ILogger<PatchScanJob> logger)
{
    [JobDisplayName("Scan patch compliance")]
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var r = await scanner.ScanAsync(TimeSpan.FromHours(options.Value.ScanIntervalHours), cancellationToken);
        LogScanned(logger, r.Instances, r.Scopes, r.Online, r.ScanCommands, r.StatesRead);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Patch scan: {Instances} instance(s) in {Scopes} account-region(s), {Online} agent(s) online, {Commands} Scan command(s) sent, {States} state(s) read.")]
    private static partial void LogScanned(ILogger logger, int instances, int scopes, int online, int commands, int states);
}

/// <summary>
/// Moves every active patch run one step, every minute. A step never waits for an install or a quiet period (the next minute looks
/// again), so a run of hours holds no worker; two nodes stepping the same run are kept apart by the run's version.
/// </summary>
public sealed partial class PatchRunJob(PatchRunEngine engine, IOptions<PatchingOptions> options, ILogger<PatchRunJob> logger)
{
    [JobDisplayName("Advance patch runs")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var changed = await engine.AdvanceActiveAsync(cancellationToken);
        if (changed > 0)
        {
            LogAdvanced(logger, changed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Changed} patch run(s) moved on.")]
    private static partial void LogAdvanced(ILogger logger, int changed);
}
