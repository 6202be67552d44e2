using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Backups;

namespace PortalOps.Jobs.Backups;

/// <summary>
/// Starts every due backup window, every minute. Safe twice and on any node: a window's run is keyed by policy, rule and window start,
/// and the database takes that key once.
/// </summary>
public sealed partial class BackupWindowJob(BackupRunEngine engine, IOptions<BackupsOptions> options, ILogger<BackupWindowJob> logger)
{
    [JobDisplayName("Start due backup windows")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        foreach (var run in await engine.StartDueAsync(cancellationToken))
        {
            LogStarted(logger, run.RuleName, run.PolicyName, run.WindowStart, run.Items.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup window {Rule} of {Policy} at {Window:u} started for {Count} instance(s).")]
    private static partial void LogStarted(ILogger logger, string rule, string policy, DateTimeOffset window, int count);
}

/// <summary>
/// Moves every active backup run one step, every minute. A step never waits for EBS (the next minute looks again), so a window of
/// hours holds no worker; two nodes stepping the same run are kept apart by the run's version.
/// </summary>
public sealed partial class BackupRunJob(BackupRunEngine engine, IOptions<BackupsOptions> options, ILogger<BackupRunJob> logger)
{
    [JobDisplayName("Advance backup runs")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Changed} backup run(s) moved on.")]
    private static partial void LogAdvanced(ILogger logger, int changed);
}

/// <summary>
/// Moves every running DR drill one step, every minute: launch from the latest copies, look for running and passed status checks (the RTO),
/// clean up. Safe twice: each step is saved over the version it read and each launch carries a key per drill and instance.
/// </summary>
public sealed partial class BackupDrillJob(DrillEngine engine, IOptions<BackupsOptions> options, ILogger<BackupDrillJob> logger)
{
    [JobDisplayName("Advance DR drills")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Changed} DR drill(s) moved on.")]
    private static partial void LogAdvanced(ILogger logger, int changed);
}

/// <summary>Tells owners about missed RPOs, rolled up, every quarter hour; each instance and due time is told once (a notice key per miss).</summary>
public sealed partial class BackupRpoJob(IBackupNotifier notifier, IOptions<BackupsOptions> options, ILogger<BackupRpoJob> logger)
{
    [JobDisplayName("Notify missed backup RPOs")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || notifier is not BackupNotifications notifications)
        {
            return;
        }

        var told = await notifications.NotifyMissedAsync(cancellationToken);
        if (told > 0)
        {
            LogTold(logger, told);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Owners of {Count} instance(s) told about a missed RPO.")]
    private static partial void LogTold(ILogger logger, int count);
}

/// <summary>Asks the run job to look now (after a run-now), on whichever node has a worker.</summary>
public sealed class BackupRunRequests(IBackgroundJobClient? jobs = null)
{
    public string? Advance() => jobs?.Enqueue<BackupRunJob>(job => job.RunAsync(CancellationToken.None));
}
