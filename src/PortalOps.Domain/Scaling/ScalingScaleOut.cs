using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// The alert rules' scale-out corrective action over this module's port: desired raised by a count, capped at the group's max,
/// sent as one capacity change. A key is used once (a repeat answers with the first outcome).
/// </summary>
public sealed class ScalingScaleOut(IScaling scaling) : IAutoScalingCapacity
{
    private readonly ConcurrentDictionary<string, Lazy<Task<(int, string?)>>> _done = new(StringComparer.Ordinal);

    public Task<(int Desired, string? RequestId)> ScaleOutAsync(CloudScope scope, string group, int by, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var task = _done.GetOrAdd(idempotencyKey, _ => new Lazy<Task<(int, string?)>>(() => ScaleAsync(new GroupRef(scope.AccountId, scope.Region, group), by, cancellationToken))).Value;
        _ = task.ContinueWith(t => _done.TryRemove(idempotencyKey, out _), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
        return task;
    }

    private async Task<(int, string?)> ScaleAsync(GroupRef group, int by, CancellationToken cancellationToken)
    {
        var found = await scaling.FindGroupAsync(group, cancellationToken)
            ?? throw new DomainException($"Auto Scaling group {group.Name} does not exist in {group.Scope}.");
        var desired = Math.Min(found.MaxSize, found.DesiredCapacity + by);
        var requestId = await scaling.SetCapacityAsync(group, CapacityChange.Of(found).WithDesired(desired), cancellationToken);
        return (desired, requestId);
    }
}
