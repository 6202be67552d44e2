using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Sandbox;

// Restores from backups: a volume from a snapshot (attached or loose) and an instance from an image, as EC2 would make them.
public sealed partial class SandboxCloud
{
    public Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        InstanceRef? changed = null;
        BackupResult result;
        lock (_gate)
        {
            if (_requestTokens.TryGetValue("restore-volume:" + idempotencyKey, out var earlier))
            {
                return Task.FromResult(new BackupResult(earlier, null));
            }

            if (!restore.AvailabilityZone.StartsWith(scope.Region, StringComparison.Ordinal))
            {
                throw new BackupCloudException($"InvalidParameterValue: Availability zone {restore.AvailabilityZone} is not in {scope.Region}.", "InvalidParameterValue");
            }

            var size = restore.SizeGiB ?? 8;
            var id = NewId("vol");
            var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["Name"] = $"restore-{restore.SnapshotId}", ["portalops:restored-from"] = restore.SnapshotId };
            if (restore.AttachToInstanceId is { Length: > 0 } target && _instances.TryGetValue(new InstanceRef(scope.AccountId, scope.Region, target), out var instance))
            {
                if (instance.AvailabilityZone != restore.AvailabilityZone)
                {
                    throw new BackupCloudException($"InvalidVolume.ZoneMismatch: The volume would be in {restore.AvailabilityZone} but instance {target} is in {instance.AvailabilityZone}.", "InvalidVolume.ZoneMismatch");
                }

                _instances[instance.Ref] = instance with { Volumes = [.. instance.Volumes, new Volume(id, size, restore.VolumeType, restore.Encrypted, restore.Device ?? "/dev/sdf")] };
                changed = instance.Ref;
            }
            else
            {
                _looseVolumes[id] = new VolumeInfo(scope, id, size, restore.VolumeType, "available", restore.Encrypted, restore.AvailabilityZone, null, tags);
            }

            _requestTokens["restore-volume:" + idempotencyKey] = id;
            result = new BackupResult(id, RequestId());
        }

        if (changed is not null)
        {
            _events.Publish(changed);
        }

        return Task.FromResult(result);
    }

    public Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        InstanceRef made;
        lock (_gate)
        {
            if (_requestTokens.TryGetValue("restore-instance:" + idempotencyKey, out var earlier))
            {
                return Task.FromResult(new BackupResult(earlier, null));
            }

            var zone = restore.AvailabilityZone ?? scope.Region + "a";
            var tags = new Dictionary<string, string>(restore.Tags.Where(t => !t.Key.StartsWith("portalops:", StringComparison.Ordinal)), StringComparer.Ordinal)
            {
                ["portalops:restored-from"] = restore.ImageId,
            };
            var id = $"i-0{NewId("x")[3..]}";
            var instance = new Instance(new InstanceRef(scope.AccountId, scope.Region, id), tags.GetValueOrDefault("Name") ?? $"restore-{restore.ImageId}", restore.InstanceType,
                InstanceState.Pending, zone, "Linux/UNIX", _clock.GetUtcNow(), tags, [new Volume(NewId("vol"), 8, "gp3", true, "/dev/xvda")], $"10.30.{_ids.Next(0, 64)}.{_ids.Next(4, 250)}")
            {
                ImageId = restore.ImageId,
                VpcId = SandboxCatalog.VpcId(scope.Region),
                SubnetId = restore.SubnetId,
            };
            _instances[instance.Ref] = instance;
            Schedule(instance.Ref, InstanceState.Pending, InstanceState.Running, _options.PendingSeconds);
            _requestTokens["restore-instance:" + idempotencyKey] = id;
            made = instance.Ref;
        }

        _events.Publish(made);
        return Task.FromResult(new BackupResult(made.InstanceId, RequestId()));
    }

    /// <summary>
    /// A backup image joins the account's own images (as an AMI made by CreateImage does on EC2), so the launch wizard finds it and a
    /// restore launches from it.
    /// </summary>
    internal void RegisterBackupImage(ImageDetails image)
    {
        lock (_gate)
        {
            _ownImages[image.ImageId] = image;
        }
    }

    internal ImageDetails? FindImage(CloudScope scope, string imageId)
    {
        lock (_gate)
        {
            return AllImagesLocked(scope).FirstOrDefault(i => i.ImageId == imageId);
        }
    }

    internal void ForgetBackupImage(string imageId)
    {
        lock (_gate)
        {
            _ownImages.Remove(imageId);
        }
    }
}
