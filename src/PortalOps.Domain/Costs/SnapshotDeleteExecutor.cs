using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Deletes EBS snapshots (<see cref="ActionKind.DeleteSnapshots"/>): the old-snapshot recommendation's action. A snapshot is
/// looked up in its account and region first (its tags decide the scope); one already gone counts as deleted, so a retry is safe.
/// </summary>
public sealed class SnapshotDeleteExecutor(ICloudResources resources, ISnapshots snapshots) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.DeleteSnapshots;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        var snapshot = (await resources.SnapshotsAsync(new CloudScope(target.AccountId, target.Region), cancellationToken)).FirstOrDefault(s => s.SnapshotId == target.InstanceId);
        return snapshot is null ? null : new ResolvedTarget(target, snapshot.Tags.GetValueOrDefault("Name") ?? string.Empty, snapshot.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var requestIds = new List<string>();
        foreach (var target in targets)
        {
            try
            {
                var result = await snapshots.DeleteSnapshotAsync(new CloudScope(target.Ref.AccountId, target.Ref.Region), target.Ref.InstanceId, cancellationToken);
                if (!string.IsNullOrEmpty(result.RequestId))
                {
                    requestIds.Add(result.RequestId);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{target.Ref.InstanceId}: {e.Message}");
            }
        }

        var summary = failures.Count == 0 ? $"Deleted {targets.Count} snapshot(s)." : $"Delete failed for {failures.Count} of {targets.Count}: {string.Join("; ", failures.Take(5))}";
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds))
        {
            PartlySucceeded = failures.Count > 0 && failures.Count < targets.Count,
        };
    }
}
