using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>
/// De-provisioning with a safety net: a final snapshot of every EBS volume of each instance, then terminate. An instance
/// whose snapshot could not be started is not terminated. Snapshot keys derive from the action's key, so a second run
/// finds the snapshots the first one made.
/// </summary>
public sealed class SnapshotAndTerminateExecutor(IInventory inventory, ISnapshots snapshots, ICompute compute) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.SnapshotAndTerminateInstances;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var ready = new List<InstanceRef>();
        var snapshotIds = new List<string>();
        var requestIds = new List<string>();
        foreach (var target in targets)
        {
            var instance = await inventory.FindAsync(target.Ref, cancellationToken);
            if (instance is null)
            {
                failures.Add($"{target.Ref.InstanceId}: not found");
                continue;
            }

            try
            {
                foreach (var volume in instance.Volumes.Where(v => !string.IsNullOrEmpty(v.VolumeId)))
                {
                    var made = await snapshots.CreateSnapshotAsync(
                        new CloudScope(instance.AccountId, instance.Region), volume.VolumeId,
                        $"Final snapshot of {volume.VolumeId} ({volume.DeviceName}) of {instance.InstanceId} {instance.Name} before termination",
                        $"{idempotencyKey}:{volume.VolumeId}", cancellationToken);
                    snapshotIds.Add(made.ResourceId);
                    if (made.RequestId is not null)
                    {
                        requestIds.Add(made.RequestId);
                    }
                }

                ready.Add(instance.Ref);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{target.Ref.InstanceId}: snapshot failed, not terminated ({e.Message})");
            }
        }

        if (ready.Count > 0)
        {
            var result = await compute.ApplyAsync(InstanceAction.Terminate, ready, idempotencyKey, cancellationToken);
            failures.AddRange(result.Targets.Where(t => !t.Succeeded).Select(t => $"{t.Target.InstanceId}: {t.Error}"));
            if (result.RequestId is not null)
            {
                requestIds.Add(result.RequestId);
            }
        }

        var snapshotsText = snapshotIds.Count == 0 ? "no volumes to snapshot" : $"snapshots {string.Join(", ", snapshotIds.Take(10))}{(snapshotIds.Count > 10 ? ", …" : string.Empty)}";
        var summary = failures.Count == 0
            ? $"Terminate accepted for {targets.Count} instance(s) after final {snapshotsText}."
            : $"Snapshot and terminate failed for {failures.Count} of {targets.Count}: {string.Join("; ", failures.Take(5))} ({snapshotsText}).";
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds.Distinct()));
    }
}
