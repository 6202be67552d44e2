using Hangfire;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Actions;

namespace PortalOps.Jobs.Approvals;

/// <summary>
/// Carries out an approved request. Safe to run twice: the pipeline leaves a request that is no longer Approved alone,
/// and the executor uses the approval id as its idempotency key. A failure of the action itself is recorded on the
/// request and not retried; only an error around it (the database, say) makes Hangfire try again.
/// </summary>
public sealed partial class ExecuteApprovedActionJob(ActionPipeline pipeline, ILogger<ExecuteApprovedActionJob> logger)
{
    [JobDisplayName("Execute approved action {0}")]
    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(Guid approvalId, CancellationToken cancellationToken)
    {
        var result = await pipeline.ExecuteApprovedAsync(approvalId, cancellationToken);
        LogResult(logger, approvalId, result.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Approval {ApprovalId}: {Status}.")]
    private static partial void LogResult(ILogger logger, Guid approvalId, ActionStatus status);
}
