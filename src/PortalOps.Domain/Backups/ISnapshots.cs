using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Backups;

/// <summary>The outcome of a backup call, with the provider's request id for the audit log.</summary>
public sealed record BackupResult(string ResourceId, string? RequestId);

/// <summary>Makes and removes disk snapshots and machine images. Calls with the same idempotency key act once.</summary>
public interface ISnapshots
{
    Task<BackupResult> CreateSnapshotAsync(CloudScope scope, string volumeId, string description, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<BackupResult> DeleteSnapshotAsync(CloudScope scope, string snapshotId, CancellationToken cancellationToken = default);

    Task<BackupResult> CreateImageAsync(InstanceRef instance, string name, bool reboot, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<BackupResult> DeregisterImageAsync(CloudScope scope, string imageId, CancellationToken cancellationToken = default);
}
