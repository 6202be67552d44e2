using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>What a create or copy call gave: the resource ids, AWS's request id, and whether they already existed (a second call for the same window).</summary>
public sealed record BackupCreation(IReadOnlyList<string> ResourceIds, string? RequestId, bool Existing = false);

/// <summary>A new volume from a snapshot: where, what type and size, encryption, and optionally the instance and device to attach it to.</summary>
public sealed record VolumeRestore(string SnapshotId, string AvailabilityZone, string VolumeType, int? SizeGiB, bool Encrypted, string? KmsKeyId = null, string? AttachToInstanceId = null, string? Device = null);

/// <summary>A new instance from an image: type, subnet (or zone) and the tags it carries.</summary>
public sealed record InstanceRestore(string ImageId, string InstanceType, string? SubnetId, string? AvailabilityZone, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// The cloud side of backups. Creates do not look first: the engine reads what a window already made (<see cref="WindowPointsAsync"/>, one
/// paged call for the whole window) and asks only for what is missing, so a repeated step makes nothing twice. Lists read the largest page.
/// </summary>
public interface IBackupCloud
{
    /// <summary>One crash-consistent multi-volume snapshot set of the instance (all volumes, or only <paramref name="deviceNames"/>), tagged.</summary>
    Task<BackupCreation> CreateSnapshotsAsync(InstanceRef instance, IReadOnlyList<string> deviceNames, IReadOnlyDictionary<string, string> tags, string description, CancellationToken cancellationToken = default);

    /// <summary>An image of the instance (and its snapshots), tagged.</summary>
    Task<BackupCreation> CreateImageAsync(InstanceRef instance, string name, bool reboot, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);

    /// <summary>Copies a completed point to <paramref name="destination"/> (re-encrypted under <paramref name="kmsKeyId"/> when given), with <paramref name="tags"/>.</summary>
    Task<BackupCreation> CopyAsync(RecoveryPoint point, CloudScope destination, string? kmsKeyId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);

    /// <summary>What one window of a policy rule made in the scope (sources, or copies in a DR scope), with their states.</summary>
    Task<IReadOnlyList<RecoveryPoint>> WindowPointsAsync(CloudScope scope, BackupWindow window, RecoveryPointKind kind, CancellationToken cancellationToken = default);

    /// <summary>Every point of this kind in the scope carrying this policy's tag (copies included).</summary>
    Task<IReadOnlyList<RecoveryPoint>> RecoveryPointsAsync(CloudScope scope, Guid policyId, RecoveryPointKind kind, CancellationToken cancellationToken = default);

    /// <summary>One snapshot (snap-…) or image (ami-…) by id, whoever made it; null when it does not exist.</summary>
    Task<RecoveryPoint?> FindAsync(CloudScope scope, string id, CancellationToken cancellationToken = default);

    /// <summary>Snapshots that an image this account owns is made of: never pruned.</summary>
    Task<IReadOnlySet<string>> SnapshotsBehindImagesAsync(CloudScope scope, CancellationToken cancellationToken = default);

    /// <summary>Deletes a snapshot, or deregisters an image and deletes its snapshots. Gone already counts as done.</summary>
    Task<BackupResult> DeleteAsync(RecoveryPoint point, CancellationToken cancellationToken = default);

    /// <summary>A new volume from a snapshot, attached when asked; the volume carries the idempotency key so a retry makes one.</summary>
    Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>A new instance from an image, launched with a client token from the idempotency key.</summary>
    Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default);
}

/// <summary>Backup policies, every version kept.</summary>
public interface IBackupPolicyStore
{
    /// <summary>The newest version of each policy.</summary>
    Task<IReadOnlyList<BackupPolicy>> ListAsync(CancellationToken cancellationToken = default);

    Task<BackupPolicy?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BackupPolicy>> HistoryAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Adds a version; throws <see cref="ConcurrencyConflictException"/> when that version already exists.</summary>
    Task AddVersionAsync(BackupPolicy policy, CancellationToken cancellationToken = default);
}

/// <summary>Filters for the runs timeline.</summary>
public sealed record BackupRunQuery(int PageIndex = 0, int PageSize = 25, Guid? PolicyId = null, BackupRunStatus? Status = null, DateTimeOffset? Since = null)
{
    /// <summary>Part of the policy's or rule's name.</summary>
    public string? Search { get; init; }
}

/// <summary>Backup runs, one per window key, saved with optimistic concurrency.</summary>
public interface IBackupRunStore
{
    /// <summary>Adds the run unless one with the same <see cref="BackupRun.Key"/> exists (on any node): false then.</summary>
    Task<bool> TryAddAsync(BackupRun run, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    Task<BackupRun?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Runs not finished yet.</summary>
    Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves the run if the stored one still has <paramref name="expectedVersion"/>; otherwise throws <see cref="ConcurrencyConflictException"/>.</summary>
    Task SaveAsync(BackupRun run, int expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>The newest runs first, only those the scope covers.</summary>
    Task<Page<BackupRun>> QueryAsync(ReadScope scope, BackupRunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Finished runs since a time that the scope covers (for the RPO report and summaries).</summary>
    Task<IReadOnlyList<BackupRun>> FinishedSinceAsync(ReadScope scope, DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>Told when a run finishes with failures and when a protected instance misses its RPO (rolled up per owner).</summary>
public interface IBackupNotifier
{
    Task RunFinishedAsync(BackupRun run, CancellationToken cancellationToken = default);
}

/// <summary>Tells no one: the default when no channel is configured.</summary>
public sealed class SilentBackupNotifier : IBackupNotifier
{
    public Task RunFinishedAsync(BackupRun run, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>The latest backup state per policy and instance, kept as runs finish: what the RPO report pages over.</summary>
public interface IBackupProtectionStore
{
    /// <summary>
    /// Takes a run into each of its instances' rows: when it starts (the instance is listed from its first attempt, waiting on its RPO)
    /// and when it finishes (its backups, copies and errors). A run still under way leaves the last finished run's error in place.
    /// </summary>
    Task RecordAsync(BackupRun run, BackupPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Most overdue first, only instances the scope covers.</summary>
    Task<Page<ProtectedInstance>> QueryAsync(ProtectionQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ProtectedInstance>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default);
}
