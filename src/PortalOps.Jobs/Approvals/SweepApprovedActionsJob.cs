using Hangfire;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Actions;

namespace PortalOps.Jobs.Approvals;

/// <summary>
/// Queues the execution of approved requests left Approved for more than a minute — the decision was saved but its job was never
/// queued (the node stopped, or an error came in between). Safe to overlap with the job it re-queues: execution claims the request first.
/// It also settles requests left Executing by a node that stopped mid-action (<see cref="ActionPipeline.RecoverStrandedAsync"/>).
/// Scheduled in <see cref="Scheduling.RecurringJobs"/>.
/// </summary>
public sealed partial class SweepApprovedActionsJob(ActionPipeline pipeline, ILogger<SweepApprovedActionsJob> logger)
{
    [JobDisplayName("Queue approved actions left waiting")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var queued = await pipeline.SweepApprovedAsync(cancellationToken);
        if (queued > 0)
        {
            LogQueued(logger, queued);
        }

        var settled = await pipeline.RecoverStrandedAsync(cancellationToken);
        if (settled > 0)
        {
            LogSettled(logger, settled);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} request(s) left under way by a node that stopped were settled (see each request's outcome).")]
    private static partial void LogSettled(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} approved request(s) had no execution queued after a minute; queued now.")]
    private static partial void LogQueued(ILogger logger, int count);
}
