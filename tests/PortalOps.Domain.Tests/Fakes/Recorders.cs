using System.Collections.Concurrent;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Notifications;

namespace PortalOps.Domain.Tests.Fakes;

internal sealed class RecordingNotifier : INotifier
{
    public ConcurrentQueue<Notification> Sent { get; } = new();

    public Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue(notification);
        return Task.CompletedTask;
    }
}

internal sealed class RecordingScheduler : IActionScheduler
{
    public ConcurrentQueue<Guid> Enqueued { get; } = new();

    /// <summary>When set, enqueues are lost (the node stopped between saving a decision and queuing its job).</summary>
    public bool Lose { get; set; }

    public void EnqueueApproved(Guid approvalId)
    {
        if (!Lose)
        {
            Enqueued.Enqueue(approvalId);
        }
    }
}

internal sealed class FixedApprovalPolicyProvider(ApprovalPolicy policy) : IApprovalPolicyProvider
{
    public ApprovalPolicy Policy { get; set; } = policy;

    public Task<ApprovalPolicy> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(Policy);
}
