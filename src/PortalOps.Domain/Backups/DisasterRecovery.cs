using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Backups;

/// <summary>One volume of an instance restored in the DR region: the copy it is made from and the device it becomes.</summary>
public sealed record DrVolume(string SnapshotId, string DeviceName, int SizeGiB);

/// <summary>
/// A whole instance restored from its latest copies: from a copied image (<see cref="ImageId"/>), or from copied snapshots registered
/// as an image first (<see cref="Volumes"/>, the root on <see cref="RootDevice"/>).
/// </summary>
public sealed record DrInstanceRestore(
    string SourceInstanceId,
    string Window,
    string InstanceType,
    string? SubnetId,
    string? AvailabilityZone,
    IReadOnlyDictionary<string, string> Tags,
    string? ImageId,
    IReadOnlyList<DrVolume> Volumes,
    string? RootDevice);

/// <summary>What a DR launch made: the instance, and the image registered for it from snapshots (removed with a drill's instance).</summary>
public sealed record DrLaunch(string InstanceId, string? RegisteredImageId, string? RequestId);

/// <summary>An instance as a drill checks it: its state and whether EC2's system and instance status checks pass.</summary>
public sealed record InstanceHealth(InstanceState State, bool ChecksPassed, string? Detail = null);

/// <summary>
/// The cloud side of recovery beyond a single volume or image: the points of one instance, launching a whole instance from its copies
/// in the DR region, watching it come up, and removing what a drill made.
/// </summary>
public interface IRecoveryCloud
{
    /// <summary>Every snapshot and image PortalOps made for the instance in the scope (sources there, or copies in a DR scope), newest first.</summary>
    Task<IReadOnlyList<RecoveryPoint>> InstancePointsAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Launches the instance (registering an image from the snapshots first when needed); a retry with the same key launches nothing new.</summary>
    Task<DrLaunch> LaunchAsync(CloudScope scope, DrInstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<InstanceHealth> HealthAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Terminates the instance and deregisters the image registered for it (never the copies themselves). Gone already counts as done.</summary>
    Task CleanUpAsync(CloudScope scope, string instanceId, string? registeredImageId, CancellationToken cancellationToken = default);
}

/// <summary>Checks that a KMS key exists in the scope's account and region and can encrypt EBS there.</summary>
public interface IKmsKeys
{
    /// <summary>Why the key cannot encrypt copies in <paramref name="scope"/> (missing, disabled, asymmetric, not allowed); null when it can.</summary>
    Task<string?> ProblemAsync(CloudScope scope, string keyId, CancellationToken cancellationToken = default);
}

/// <summary>Accepts every key: where no KMS check is wired (the syntax is still checked by the draft).</summary>
public sealed class UncheckedKmsKeys : IKmsKeys
{
    public Task<string?> ProblemAsync(CloudScope scope, string keyId, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
}

/// <summary>Picks what a whole-instance restore in the DR region starts from: the latest window whose copies all completed.</summary>
public static class DrPlanner
{
    private static readonly string[] RootDevices = ["/dev/xvda", "/dev/sda1", "/dev/sda", "xvda"];

    /// <summary>
    /// The latest window of <paramref name="instanceId"/>'s copies in which every copy completed, as a restore. Devices come from the
    /// instance as the inventory last saw it (copy's source volume → device); when it is gone, the largest copy is the root and the rest
    /// follow from /dev/sdf. Null when no window has a complete set of copies.
    /// </summary>
    public static DrInstanceRestore? Latest(IReadOnlyList<RecoveryPoint> copies, string instanceId, Instance? source, string? instanceType, string? subnetId, string? zone)
    {
        var window = copies
            .Where(p => p.IsCopy && string.Equals(p.InstanceId, instanceId, StringComparison.Ordinal) && p.Window is not null)
            .GroupBy(p => p.Window!, StringComparer.Ordinal)
            .Where(g => g.All(p => p.State == RecoveryPointState.Completed))
            .OrderByDescending(g => g.Max(p => p.CreatedAt))
            .FirstOrDefault();
        if (window is null)
        {
            return null;
        }

        var type = string.IsNullOrWhiteSpace(instanceType) ? source?.InstanceType ?? "t3.micro" : instanceType.Trim();
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in source?.Tags ?? window.First().Tags)
        {
            if (!BackupTags.IsOurs(k))
            {
                tags[k] = v;
            }
        }

        tags["Name"] = $"{source?.Name ?? tags.GetValueOrDefault("Name") ?? instanceId}-dr";
        if (window.FirstOrDefault(p => p.Kind == RecoveryPointKind.Image) is { } image)
        {
            return new DrInstanceRestore(instanceId, window.Key, type, subnetId, zone, tags, image.Id, [], null);
        }

        var devices = source?.Volumes.ToDictionary(v => v.VolumeId, v => v.DeviceName, StringComparer.Ordinal) ?? [];
        var volumes = new List<DrVolume>();
        var spare = 'f';
        var ordered = window.OrderByDescending(p => p.VolumeId is not null && devices.ContainsKey(p.VolumeId)).ThenByDescending(p => p.SizeGiB).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        string? root = null;
        foreach (var p in ordered)
        {
            var device = p.VolumeId is not null && devices.TryGetValue(p.VolumeId, out var d) ? d : null;
            volumes.Add(new DrVolume(p.Id, device ?? (root is null && volumes.Count == 0 ? "/dev/xvda" : $"/dev/sd{spare++}"), p.SizeGiB));
        }

        root = volumes.FirstOrDefault(v => RootDevices.Contains(v.DeviceName, StringComparer.Ordinal))?.DeviceName
            ?? (source?.Volumes.FirstOrDefault()?.DeviceName is { } first && volumes.Any(v => v.DeviceName == first) ? first : volumes[0].DeviceName);
        return new DrInstanceRestore(instanceId, window.Key, type, subnetId, zone, tags, null, volumes, root);
    }
}
