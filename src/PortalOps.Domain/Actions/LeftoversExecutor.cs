using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>
/// Clean-up of what de-provisioning leaves behind: unattached EBS volumes and unassociated Elastic IPs. Looks its targets up
/// itself (their tags decide the scope check) and refuses a volume that is attached or an address that is in use.
/// </summary>
public sealed class LeftoversExecutor(ICloudResources resources, IElasticIps addresses, IVolumes volumes) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.DeleteVolumes || kind == ActionKind.ReleaseAddresses;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        var scope = new CloudScope(target.AccountId, target.Region);
        if (kind == ActionKind.DeleteVolumes)
        {
            var volume = (await resources.VolumesAsync(scope, cancellationToken)).FirstOrDefault(v => v.VolumeId == target.InstanceId);
            return volume is null ? null : new ResolvedTarget(target, volume.Tags.GetValueOrDefault("Name") ?? string.Empty, volume.Tags);
        }

        var address = (await addresses.AddressesAsync(scope, cancellationToken)).FirstOrDefault(a => a.AllocationId == target.InstanceId);
        return address is null ? null : new ResolvedTarget(target, address.PublicIp, address.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var requestIds = new List<string>();
        foreach (var group in targets.GroupBy(t => new CloudScope(t.Ref.AccountId, t.Ref.Region)))
        {
            var scope = group.Key;
            var inUse = kind == ActionKind.DeleteVolumes
                ? (await resources.VolumesAsync(scope, cancellationToken)).Where(v => v.AttachedTo is not null).ToDictionary(v => v.VolumeId, v => v.AttachedTo!)
                : (await addresses.AddressesAsync(scope, cancellationToken)).Where(a => a.IsAssociated).ToDictionary(a => a.AllocationId, a => a.InstanceId ?? a.AssociationId!);
            foreach (var target in group)
            {
                var id = target.Ref.InstanceId;
                if (inUse.TryGetValue(id, out var user))
                {
                    failures.Add($"{id} is in use by {user}; detach it first");
                    continue;
                }

                try
                {
                    var requestId = kind == ActionKind.DeleteVolumes
                        ? await volumes.DeleteAsync(scope, id, cancellationToken)
                        : await addresses.ReleaseAsync(scope, id, cancellationToken);
                    if (requestId is not null)
                    {
                        requestIds.Add(requestId);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Add($"{id}: {e.Message}");
                }
            }
        }

        var done = kind == ActionKind.DeleteVolumes ? "Deleted" : "Released";
        var summary = failures.Count == 0
            ? $"{done} {targets.Count} {kind.Noun}."
            : $"{kind.Verb} failed for {failures.Count} of {targets.Count}: {string.Join("; ", failures.Take(5))}";
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds));
    }
}
