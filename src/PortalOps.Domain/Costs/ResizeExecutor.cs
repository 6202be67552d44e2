using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Resizes instances (check → stop and wait → change the type → start again if it was running, and wait) and changes volume types
/// in place. A target that fails the <see cref="ResizeCheck"/> is refused before it is stopped. Steps carry keys derived from the
/// action's idempotency key, so a retry does not stop or start twice. Stop and start go the instance actions' way
/// (<see cref="InstanceActionExecutor"/>): an instance behind a load balancer is drained before it stops and registered again
/// when it starts (<see cref="IInstanceDrain"/>).
/// </summary>
public sealed class ResizeExecutor(IInventory inventory, ICompute compute, ICloudResources resources, IResourceModifier modifier, TimeProvider clock, IInstanceDrain? drain = null,
    IScheduledResizeStore? schedule = null, Monitoring.IMaintenanceWindowStore? windows = null) : IActionExecutor
{
    private readonly InstanceActionExecutor instanceActions = new(compute, drain);

    public static readonly IReadOnlySet<string> VolumeTypes = new HashSet<string>(StringComparer.Ordinal) { "gp3", "gp2", "io1", "io2", "st1", "sc1" };

    /// <summary>How long a stop or start may take before the resize gives up (and says where it stopped).</summary>
    public TimeSpan StateTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public bool CanExecute(ActionKind kind) => kind == ActionKind.ResizeInstances || kind == ActionKind.ModifyVolumes;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        var volume = (await resources.VolumesAsync(new CloudScope(target.AccountId, target.Region), cancellationToken)).FirstOrDefault(v => v.VolumeId == target.InstanceId);
        return volume is null ? null : new ResolvedTarget(target, volume.Tags.GetValueOrDefault("Name") ?? string.Empty, volume.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var requestIds = new List<string>();
        var scheduled = new List<ScheduledResize>();
        foreach (var target in targets)
        {
            try
            {
                var outcome = kind == ActionKind.ResizeInstances
                    ? await ResizeOrScheduleAsync(target.Ref, parameters, idempotencyKey, scheduled, requestIds, cancellationToken)
                    : await ModifyVolumeAsync(target.Ref, parameters.GetValueOrDefault(ResizeParameters.VolumeType), requestIds, cancellationToken);
                if (outcome is not null)
                {
                    failures.Add($"{target.Ref.InstanceId}: {outcome}");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{target.Ref.InstanceId}: {e.Message}");
            }
        }

        var done = kind == ActionKind.ResizeInstances
            ? $"Resized {targets.Count} instance(s) to {parameters.GetValueOrDefault(ResizeParameters.InstanceType)}."
            : $"Changed {targets.Count} volume(s) to {parameters.GetValueOrDefault(ResizeParameters.VolumeType)}.";
        if (scheduled.Count > 0)
        {
            done = $"Approved; the resize to {parameters.GetValueOrDefault(ResizeParameters.InstanceType)} runs {scheduled[0].Describe()}" + (scheduled.Count < targets.Count ? $" ({scheduled.Count} of {targets.Count}; the others were resized now)." : ".");
        }

        var summary = failures.Count == 0 ? done : $"{kind.Verb} failed for {failures.Count} of {targets.Count}: {string.Join("; ", failures.Take(5))}";
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds))
        {
            PartlySucceeded = failures.Count > 0 && failures.Count < targets.Count,
        };
    }

    /// <summary>When the request names a time or a maintenance window that has not come, records it for the runner; otherwise resizes now.</summary>
    private async Task<string?> ResizeOrScheduleAsync(InstanceRef target, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, List<ScheduledResize> scheduled, List<string> requestIds, CancellationToken cancellationToken)
    {
        var type = parameters.GetValueOrDefault(ResizeParameters.InstanceType);
        var key = $"{idempotencyKey}:{target.InstanceId}";
        if (ResizeParameters.TimingOf(parameters, out var timing, out var notBefore) is { } bad)
        {
            return bad;
        }

        if (timing == ResizeTiming.Now)
        {
            return await ResizeAsync(target, type, key, requestIds, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var instance = await inventory.FindAsync(target, cancellationToken);
        if (instance is null)
        {
            return "does not exist";
        }

        var open = windows is null ? [] : (await windows.ListAsync(now, cancellationToken)).Where(w => w.IsActiveAt(now)).ToList();
        var resize = new ScheduledResize(Guid.TryParse(idempotencyKey, out var id) ? id : Guid.NewGuid(), target, type ?? string.Empty, timing, notBefore, now);
        if (resize.IsDue(now, instance, open))
        {
            return await ResizeAsync(target, type, key, requestIds, cancellationToken);
        }

        if (schedule is null || (timing == ResizeTiming.MaintenanceWindow && windows is null))
        {
            return "a resize at a later time needs the scheduled resizes store (and maintenance windows) configured";
        }

        if (instance.InstanceType != type
            && ResizeCheck.Refusal(instance, type, await resources.InstanceTypeOfferingsAsync(new CloudScope(target.AccountId, target.Region), cancellationToken)) is { } refusal)
        {
            return refusal;
        }

        await schedule.AddAsync(resize, cancellationToken);
        scheduled.Add(resize);
        return null;
    }

    /// <summary>The resize itself (check, drain and stop, change, start and register again), for the scheduled runner.</summary>
    public Task<string?> ResizeNowAsync(InstanceRef target, string type, string key, List<string> requestIds, CancellationToken cancellationToken) =>
        ResizeAsync(target, type, key, requestIds, cancellationToken);

    private async Task<string?> ResizeAsync(InstanceRef target, string? type, string key, List<string> requestIds, CancellationToken cancellationToken)
    {
        var instance = await inventory.FindAsync(target, cancellationToken);
        if (instance is null)
        {
            return "does not exist";
        }

        if (instance.InstanceType == type)
        {
            // Already done (a retry after the change): make sure it runs again if it was running, which the start key makes safe.
            return await StartAgainIfStoppedByUsAsync(instance, key, requestIds, cancellationToken);
        }

        if (ResizeCheck.Refusal(instance, type, await resources.InstanceTypeOfferingsAsync(new CloudScope(target.AccountId, target.Region), cancellationToken)) is { } refusal)
        {
            return refusal;
        }

        var wasRunning = instance.State is InstanceState.Running or InstanceState.Pending;
        if (instance.State != InstanceState.Stopped)
        {
            var stop = await instanceActions.ExecuteAsync(ActionKind.StopInstances, [new ResolvedTarget(target, instance.Name, instance.Tags)], new Dictionary<string, string>(), $"{key}:stop", cancellationToken);
            Add(requestIds, stop.RequestId);
            if (!stop.Succeeded)
            {
                return $"could not be stopped: {stop.Summary}";
            }

            if (!await WaitForAsync(target, InstanceState.Stopped, cancellationToken))
            {
                return $"did not stop within {StateTimeout.TotalMinutes:0} minutes; its type is unchanged";
            }
        }

        Add(requestIds, await modifier.ChangeInstanceTypeAsync(target, type!, cancellationToken));
        if (!wasRunning)
        {
            return null;
        }

        var start = await instanceActions.ExecuteAsync(ActionKind.StartInstances, [new ResolvedTarget(target, instance.Name, instance.Tags)], new Dictionary<string, string>(), $"{key}:start", cancellationToken);
        Add(requestIds, start.RequestId);
        if (!start.Succeeded)
        {
            return $"is now {type} but did not start: {start.Summary}";
        }

        return await WaitForAsync(target, InstanceState.Running, cancellationToken) ? null : $"is now {type} but is not running yet after {StateTimeout.TotalMinutes:0} minutes";
    }

    private async Task<string?> StartAgainIfStoppedByUsAsync(Instance instance, string key, List<string> requestIds, CancellationToken cancellationToken)
    {
        if (instance.State != InstanceState.Stopped)
        {
            return null;
        }

        var start = await instanceActions.ExecuteAsync(ActionKind.StartInstances, [new ResolvedTarget(instance.Ref, instance.Name, instance.Tags)], new Dictionary<string, string>(), $"{key}:start", cancellationToken);
        Add(requestIds, start.RequestId);
        return start.Succeeded ? null : start.Summary;
    }

    private async Task<string?> ModifyVolumeAsync(InstanceRef target, string? type, List<string> requestIds, CancellationToken cancellationToken)
    {
        if (type is null || !VolumeTypes.Contains(type))
        {
            return $"'{type}' is not a volume type PortalOps changes to ({string.Join(", ", VolumeTypes)})";
        }

        var scope = new CloudScope(target.AccountId, target.Region);
        var volume = (await resources.VolumesAsync(scope, cancellationToken)).FirstOrDefault(v => v.VolumeId == target.InstanceId);
        if (volume is null)
        {
            return "does not exist";
        }

        if (volume.VolumeType != type)
        {
            Add(requestIds, await modifier.ChangeVolumeTypeAsync(scope, target.InstanceId, type, cancellationToken));
        }

        return null;
    }

    private async Task<bool> WaitForAsync(InstanceRef target, InstanceState state, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + StateTimeout;
        while (true)
        {
            if ((await inventory.FindAsync(target, cancellationToken))?.State == state)
            {
                return true;
            }

            if (clock.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval, clock, cancellationToken);
        }
    }

    private static void Add(List<string> ids, string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            ids.Add(id);
        }
    }
}
