using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Resizes instances (check → stop and wait → change the type → start again if it was running, and wait) and changes volume types
/// in place. A target that fails the <see cref="ResizeCheck"/> is refused before it is stopped. Steps carry keys derived from the
/// action's idempotency key, so a retry does not stop or start twice.
/// </summary>
public sealed class ResizeExecutor(IInventory inventory, ICompute compute, ICloudResources resources, IResourceModifier modifier, TimeProvider clock) : IActionExecutor
{
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
        foreach (var target in targets)
        {
            try
            {
                var outcome = kind == ActionKind.ResizeInstances
                    ? await ResizeAsync(target.Ref, parameters.GetValueOrDefault(ResizeParameters.InstanceType), $"{idempotencyKey}:{target.Ref.InstanceId}", requestIds, cancellationToken)
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
        var summary = failures.Count == 0 ? done : $"{kind.Verb} failed for {failures.Count} of {targets.Count}: {string.Join("; ", failures.Take(5))}";
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds))
        {
            PartlySucceeded = failures.Count > 0 && failures.Count < targets.Count,
        };
    }

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
            var stop = await compute.ApplyAsync(InstanceAction.Stop, [target], $"{key}:stop", cancellationToken);
            Add(requestIds, stop.RequestId);
            if (!stop.AllSucceeded)
            {
                return $"could not be stopped: {stop.Targets.FirstOrDefault()?.Error}";
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

        var start = await compute.ApplyAsync(InstanceAction.Start, [target], $"{key}:start", cancellationToken);
        Add(requestIds, start.RequestId);
        if (!start.AllSucceeded)
        {
            return $"is now {type} but did not start: {start.Targets.FirstOrDefault()?.Error}";
        }

        return await WaitForAsync(target, InstanceState.Running, cancellationToken) ? null : $"is now {type} but is not running yet after {StateTimeout.TotalMinutes:0} minutes";
    }

    private async Task<string?> StartAgainIfStoppedByUsAsync(Instance instance, string key, List<string> requestIds, CancellationToken cancellationToken)
    {
        if (instance.State != InstanceState.Stopped)
        {
            return null;
        }

        var start = await compute.ApplyAsync(InstanceAction.Start, [instance.Ref], $"{key}:start", cancellationToken);
        Add(requestIds, start.RequestId);
        return start.AllSucceeded ? null : start.Targets.FirstOrDefault()?.Error;
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
