using Hangfire;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Actions;

namespace PortalOps.Jobs.Approvals;

/// <summary>Expires pending approval requests whose time is up (scheduled in <see cref="Scheduling.RecurringJobs"/>).</summary>
public sealed partial class ExpireApprovalsJob(ActionPipeline pipeline, ILogger<ExpireApprovalsJob> logger)
{
    [JobDisplayName("Expire approval requests")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var expired = await pipeline.ExpireDueAsync(cancellationToken);
        if (expired > 0)
        {
            LogExpired(logger, expired);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} approval request(s) expired.")]
    private static partial void LogExpired(ILogger logger, int count);
}
