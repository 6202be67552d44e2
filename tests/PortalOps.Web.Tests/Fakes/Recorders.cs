using PortalOps.Domain.Security;
using System.Collections.Concurrent;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Web.Security;

namespace PortalOps.Web.Tests.Fakes;

public sealed record ComputeCall(InstanceAction Action, IReadOnlyList<InstanceRef> Targets, string IdempotencyKey);

/// <summary>Accepts every compute call and remembers it.</summary>
public sealed class RecordingCompute : ICompute
{
    public ConcurrentQueue<ComputeCall> Calls { get; } = new();

    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(new ComputeCall(action, targets, idempotencyKey));
        return Task.FromResult(new ComputeResult(targets.Select(t => new TargetResult(t, true)).ToList(), $"req-{Calls.Count}"));
    }
}

/// <summary>Remembers which approved requests were queued for execution.</summary>
public sealed class RecordingScheduler : IActionScheduler
{
    public ConcurrentQueue<Guid> Enqueued { get; } = new();

    public void EnqueueApproved(Guid approvalId) => Enqueued.Enqueue(approvalId);
}

/// <summary>Remembers every notification.</summary>
public sealed class RecordingNotifier : INotifier
{
    public ConcurrentQueue<Notification> Sent { get; } = new();

    public Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue(notification);
        return Task.CompletedTask;
    }
}

public sealed class FixedApprovalPolicy(ApprovalPolicy policy) : IApprovalPolicyProvider
{
    public Task<ApprovalPolicy> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(policy);
}

public sealed class FakeCloudProvider : ICloudProvider
{
    public string Name => "Sandbox";

    public bool IsSandbox => true;

    public IReadOnlyList<CloudAccount> Accounts { get; } =
        [new CloudAccount(TestData.SandboxAccount, "Sandbox", [TestData.EuWest, TestData.UsEast], IsSandbox: true)];
}

public sealed class FakeSetupTokens : ISetupTokenStore
{
    public Task<string> IssueAsync(string purpose, TimeSpan lifetime, CancellationToken cancellationToken = default) => Task.FromResult("token");

    public Task<bool> IsValidAsync(string purpose, string token, CancellationToken cancellationToken = default) => Task.FromResult(false);

    public Task<bool> ConsumeAsync(string purpose, string token, CancellationToken cancellationToken = default) => Task.FromResult(false);
}
