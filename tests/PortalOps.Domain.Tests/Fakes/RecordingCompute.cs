using System.Collections.Concurrent;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Fakes;

public sealed record ComputeCall(InstanceAction Action, IReadOnlyList<InstanceRef> Targets, string IdempotencyKey);

/// <summary>Records every call; succeeds for every target unless told to fail some or to throw.</summary>
internal sealed class RecordingCompute : ICompute
{
    private int _requests;

    public ConcurrentQueue<ComputeCall> Calls { get; } = new();

    /// <summary>Runs after each call is recorded (e.g. to cancel the caller's token once the cloud has acted).</summary>
    public Action? AfterCall { get; set; }

    /// <summary>Thrown from every call when set.</summary>
    public Exception? Throws { get; set; }

    /// <summary>Instance ids that come back as failed.</summary>
    public HashSet<string> Failing { get; } = [];

    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(new ComputeCall(action, targets.ToList(), idempotencyKey));
        AfterCall?.Invoke();
        if (Throws is { } exception)
        {
            throw exception;
        }

        var requestId = $"req-{Interlocked.Increment(ref _requests)}";
        var results = targets
            .Select(t => Failing.Contains(t.InstanceId) ? new TargetResult(t, false, "IncorrectInstanceState") : new TargetResult(t, true))
            .ToList();
        return Task.FromResult(new ComputeResult(results, requestId));
    }
}
