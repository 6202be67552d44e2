using Hangfire;
using PortalOps.Domain.Approvals;

namespace PortalOps.Jobs.Approvals;

/// <summary>Queues approved requests in Hangfire's durable storage; a queued execution survives a restart.</summary>
public sealed class HangfireActionScheduler(IBackgroundJobClient jobs) : IActionScheduler
{
    public void EnqueueApproved(Guid approvalId) =>
        jobs.Enqueue<ExecuteApprovedActionJob>(job => job.RunAsync(approvalId, CancellationToken.None));
}
