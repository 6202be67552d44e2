using Microsoft.Extensions.Options;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Backups;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// Backups in the Sandbox account: snapshot sets that take time like EBS (about half a minute plus two seconds per GiB), copies that take
/// longer, the odd snapshot that ends in error (<see cref="BackupsOptions.SandboxFailureRate"/>), and restores that make real sandbox
/// volumes and instances.
/// </summary>
public sealed class SandboxBackupCloud(SandboxCloud cloud, TimeProvider clock, IOptions<BackupsOptions> options) : IBackupCloud, IRecoveryCloud, IKmsKeys
{
    /// <summary>The KMS keys every Sandbox region has; any other key "does not exist".</summary>
    public static readonly string[] SandboxKeys = ["alias/aws/ebs", "alias/portalops-dr"];

    /// <summary>A Sandbox key that exists but is disabled.</summary>
    public const string DisabledKey = "alias/portalops-disabled";

    private readonly Lock gate = new();
    private readonly Dictionary<string, (RecoveryPoint Point, DateTimeOffset ReadyAt, bool Fails)> points = new(StringComparer.Ordinal);
    private readonly Random random = new(20261202);
    private int next;

    public async Task<BackupCreation> CreateSnapshotsAsync(InstanceRef instance, IReadOnlyList<string> deviceNames, IReadOnlyDictionary<string, string> tags, string description, CancellationToken cancellationToken = default)
    {
        var found = await cloud.FindAsync(instance, cancellationToken) ?? throw new BackupCloudException($"InvalidInstanceID.NotFound: The instance ID '{instance.InstanceId}' does not exist.", "InvalidInstanceID.NotFound");
        var volumes = found.Volumes.Where(v => deviceNames.Count == 0 || deviceNames.Contains(v.DeviceName, StringComparer.Ordinal)).ToList();
        var now = clock.GetUtcNow();
        var ids = new List<string>();
        lock (gate)
        {
            var fails = random.NextDouble() < options.Value.SandboxFailureRate;
            foreach (var volume in volumes)
            {
                var id = $"snap-{Interlocked.Increment(ref next):x17}";
                points[id] = (new RecoveryPoint(new CloudScope(instance.AccountId, instance.Region), id, RecoveryPointKind.Snapshot, RecoveryPointState.Pending, Created(tags, now),
                    new Dictionary<string, string>(tags, StringComparer.Ordinal), volume.VolumeId, volume.SizeGiB), now + TimeSpan.FromSeconds(30 + (2 * volume.SizeGiB)), fails);
                ids.Add(id);
            }
        }

        return new BackupCreation(ids, RequestId());
    }

    public async Task<BackupCreation> CreateImageAsync(InstanceRef instance, string name, bool reboot, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        var found = await cloud.FindAsync(instance, cancellationToken) ?? throw new BackupCloudException($"InvalidInstanceID.NotFound: The instance ID '{instance.InstanceId}' does not exist.", "InvalidInstanceID.NotFound");
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var id = $"ami-{Interlocked.Increment(ref next):x17}";
            var size = found.Volumes.Sum(v => v.SizeGiB);
            points[id] = (new RecoveryPoint(new CloudScope(instance.AccountId, instance.Region), id, RecoveryPointKind.Image, RecoveryPointState.Pending, Created(tags, now),
                new Dictionary<string, string>(tags, StringComparer.Ordinal), null, size), now + TimeSpan.FromSeconds(60 + (3 * size)), random.NextDouble() < options.Value.SandboxFailureRate);
            var root = found.Volumes.FirstOrDefault();
            var architecture = found.ImageId is { } from ? cloud.FindImage(new CloudScope(instance.AccountId, instance.Region), from)?.Architecture : null;
            cloud.RegisterBackupImage(new ImageDetails(new CloudScope(instance.AccountId, instance.Region), id, name, instance.AccountId, null, architecture ?? "x86_64", found.Platform,
                root?.DeviceName ?? "/dev/xvda", root?.SizeGiB ?? 8, now, $"Backup image of {found.Name} ({found.InstanceId})"));
            return new BackupCreation([id], RequestId());
        }
    }

    public Task<BackupCreation> CopyAsync(RecoveryPoint point, CloudScope destination, string? kmsKeyId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var id = $"{(point.Kind == RecoveryPointKind.Image ? "ami" : "snap")}-{Interlocked.Increment(ref next):x17}";
            points[id] = (point with { Scope = destination, Id = id, State = RecoveryPointState.Pending, Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal) },
                now + TimeSpan.FromSeconds(60 + (4 * point.SizeGiB)), false);
            if (point.Kind == RecoveryPointKind.Image)
            {
                var source = cloud.FindImage(point.Scope, point.Id);
                cloud.RegisterBackupImage(new ImageDetails(destination, id, $"{source?.Name ?? point.Id}-copy", destination.AccountId, null, source?.Architecture ?? "x86_64",
                    source?.Platform ?? "Linux/UNIX", source?.RootDeviceName ?? "/dev/xvda", source?.RootSnapshotSizeGiB ?? 8, now, $"DR copy of {point.Id}"));
            }
            return Task.FromResult(new BackupCreation([id], RequestId()));
        }
    }

    public Task<IReadOnlyList<RecoveryPoint>> WindowPointsAsync(CloudScope scope, BackupWindow window, RecoveryPointKind kind, CancellationToken cancellationToken = default)
    {
        var text = BackupTags.WindowText(window.Start);
        var policy = window.PolicyId.ToString("N");
        return Task.FromResult(Read(p => p.Scope == scope && p.Kind == kind && p.PolicyId == policy && p.RuleName == window.RuleName && p.Window == text));
    }

    public Task<IReadOnlyList<RecoveryPoint>> RecoveryPointsAsync(CloudScope scope, Guid policyId, RecoveryPointKind kind, CancellationToken cancellationToken = default)
    {
        var policy = policyId.ToString("N");
        return Task.FromResult(Read(p => p.Scope == scope && p.Kind == kind && p.PolicyId == policy));
    }

    public Task<RecoveryPoint?> FindAsync(CloudScope scope, string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Read(p => p.Scope == scope && p.Id == id).FirstOrDefault());

    public Task<IReadOnlySet<string>> SnapshotsBehindImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal));

    public Task<BackupResult> DeleteAsync(RecoveryPoint point, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            points.Remove(point.Id);
        }

        if (point.Kind == RecoveryPointKind.Image)
        {
            cloud.ForgetBackupImage(point.Id);
        }

        return Task.FromResult(new BackupResult(point.Id, RequestId()));
    }

    public async Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var made = await cloud.RestoreVolumeAsync(scope, restore, idempotencyKey, cancellationToken);
        return made;
    }

    public Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) =>
        cloud.RestoreInstanceAsync(scope, restore, idempotencyKey, cancellationToken);

    public Task<IReadOnlyList<RecoveryPoint>> InstancePointsAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RecoveryPoint>>(Read(p => p.Scope == scope && p.InstanceId == instanceId).OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).ToList());

    public async Task<DrLaunch> LaunchAsync(CloudScope scope, DrInstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        // Snapshots are registered as an image first, as on EC2; the image is named after the key, so a retry finds it.
        var registered = restore.ImageId is null ? $"ami-{Math.Abs(idempotencyKey.GetHashCode(StringComparison.Ordinal)):x17}" : null;
        var made = await cloud.RestoreInstanceAsync(scope, new InstanceRestore(restore.ImageId ?? registered!, restore.InstanceType, restore.SubnetId, restore.AvailabilityZone,
            restore.Tags), idempotencyKey, cancellationToken);
        return new DrLaunch(made.ResourceId, registered, made.RequestId);
    }

    public async Task<InstanceHealth> HealthAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default)
    {
        var found = await cloud.FindAsync(new InstanceRef(scope.AccountId, scope.Region, instanceId), cancellationToken);
        return found is null
            ? new InstanceHealth(InstanceState.Terminated, false, "The instance does not exist.")
            : new InstanceHealth(found.State, found.State == InstanceState.Running, found.State == InstanceState.Running ? "system ok, instance ok" : "initializing");
    }

    public async Task CleanUpAsync(CloudScope scope, string instanceId, string? registeredImageId, CancellationToken cancellationToken = default) =>
        await cloud.ApplyAsync(InstanceAction.Terminate, [new InstanceRef(scope.AccountId, scope.Region, instanceId)], $"drill-clean-up:{instanceId}", cancellationToken);

    public Task<string?> ProblemAsync(CloudScope scope, string keyId, CancellationToken cancellationToken = default) =>
        Task.FromResult(keyId == DisabledKey
            ? $"Key {keyId} in {scope.Region} is Disabled; EBS can only encrypt with an enabled key."
            : SandboxKeys.Contains(keyId, StringComparer.Ordinal)
                ? null
                : $"Key {keyId} does not exist in {scope.Region} (account {scope.AccountId}); a copy there must be encrypted with a key in that region.");

    private IReadOnlyList<RecoveryPoint> Read(Func<RecoveryPoint, bool> match)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var list = new List<RecoveryPoint>();
            foreach (var (id, entry) in points.ToList())
            {
                var point = entry.Point;
                if (point.State == RecoveryPointState.Pending && now >= entry.ReadyAt)
                {
                    point = entry.Fails
                        ? point with { State = RecoveryPointState.Error, Error = "Sandbox: the snapshot failed (simulated EBS error); it will be made again." }
                        : point with { State = RecoveryPointState.Completed };
                    points[id] = (point, entry.ReadyAt, entry.Fails);
                }

                if (match(point))
                {
                    list.Add(point);
                }
            }

            return list;
        }
    }

    private static DateTimeOffset Created(IReadOnlyDictionary<string, string> tags, DateTimeOffset now) =>
        tags.TryGetValue(BackupTags.Window, out var w) && DateTimeOffset.TryParse(w, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : now;

    private static string RequestId() => Guid.NewGuid().ToString();
}
