using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Components.Pages.Backups;

/// <summary>Backups in memory for page tests: stores filtering by scope as the real ones do, recovery points, and a KMS with two keys.</summary>
internal sealed class BackupMemory : IBackupPolicyStore, IBackupRunStore, IBackupProtectionStore, IBackupDrillStore, IBackupCloud, IRecoveryCloud, IKmsKeys
{
    public List<BackupPolicy> Policies { get; } = [];

    public List<BackupRun> Runs { get; } = [];

    public List<ProtectedInstance> Protected { get; } = [];

    public List<BackupDrill> Drills { get; } = [];

    public List<RecoveryPoint> Points { get; } = [];

    public List<BackupRunQuery> RunQueries { get; } = [];

    public List<(CloudScope Scope, string Key)> KeyChecks { get; } = [];

    public void AddPoint(CloudScope scope, string id, RecoveryPointKind kind, string instanceId, string window, bool copy, string? volume = null)
    {
        var tags = new Dictionary<string, string>
        {
            [BackupTags.Policy] = Policies.FirstOrDefault()?.Id.ToString("N") ?? Guid.NewGuid().ToString("N"),
            [BackupTags.Rule] = "daily",
            [BackupTags.Window] = window,
            [BackupTags.Instance] = instanceId,
            ["env"] = "prod",
        };
        if (copy)
        {
            tags[BackupTags.Copy] = "copy";
        }

        Points.Add(new RecoveryPoint(scope, id, kind, RecoveryPointState.Completed, DateTimeOffset.Parse(window, System.Globalization.CultureInfo.InvariantCulture), tags, volume, 8));
    }

    // ---- policies ----
    public Task<IReadOnlyList<BackupPolicy>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BackupPolicy>>(Policies.GroupBy(p => p.Id).Select(g => g.MaxBy(p => p.Version)!).ToList());

    public Task<BackupPolicy?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Policies.Where(p => p.Id == id).MaxBy(p => p.Version));

    public Task<IReadOnlyList<BackupPolicy>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BackupPolicy>>(Policies.Where(p => p.Id == id).OrderByDescending(p => p.Version).ToList());

    public Task AddVersionAsync(BackupPolicy policy, CancellationToken cancellationToken = default)
    {
        Policies.Add(policy);
        return Task.CompletedTask;
    }

    // ---- runs ----
    public Task<bool> TryAddAsync(BackupRun run, CancellationToken cancellationToken = default)
    {
        Runs.Add(run);
        return Task.FromResult(true);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(Runs.Any(r => r.Key == key));

    Task<BackupRun?> IBackupRunStore.FindAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(Runs.FirstOrDefault(r => r.Id == id));

    Task<IReadOnlyList<Guid>> IBackupRunStore.ActiveAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Guid>>([]);

    public Task SaveAsync(BackupRun run, int expectedVersion, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<BackupRun>> QueryAsync(ReadScope scope, BackupRunQuery query, CancellationToken cancellationToken = default)
    {
        RunQueries.Add(query);
        var rows = Runs.Where(r => scope.Covers(r.Footprint) && (query.Search is not { } s || r.PolicyName.Contains(s, StringComparison.Ordinal) || r.RuleName.Contains(s, StringComparison.Ordinal))).ToList();
        return Task.FromResult(new Page<BackupRun>(rows.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), rows.Count, query.PageIndex, query.PageSize));
    }

    public Task<IReadOnlyList<BackupRun>> FinishedSinceAsync(ReadScope scope, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BackupRun>>([]);

    // ---- protection ----
    public Task RecordAsync(BackupRun run, BackupPolicy policy, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<ProtectedInstance>> QueryAsync(ProtectionQuery query, CancellationToken cancellationToken = default)
    {
        var rows = Protected.Where(p => query.Scope.Covers(p.Footprint)).ToList();
        return Task.FromResult(new Page<ProtectedInstance>(rows.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), rows.Count, query.PageIndex, query.PageSize));
    }

    public Task<IReadOnlyList<ProtectedInstance>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProtectedInstance>>(Protected.Where(p => scope.Covers(p.Footprint)).ToList());

    // ---- drills ----
    public Task AddAsync(BackupDrill drill, CancellationToken cancellationToken = default)
    {
        Drills.Add(drill);
        return Task.CompletedTask;
    }

    Task<BackupDrill?> IBackupDrillStore.FindAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(Drills.FirstOrDefault(d => d.Id == id));

    Task<IReadOnlyList<Guid>> IBackupDrillStore.ActiveAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Guid>>(Drills.Where(d => !d.IsFinished).Select(d => d.Id).ToList());

    public Task SaveAsync(BackupDrill drill, int expectedVersion, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<BackupDrill>> QueryAsync(ReadScope scope, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        var rows = Drills.Where(d => scope.Covers(d.Footprint)).OrderByDescending(d => d.CreatedAt).ToList();
        return Task.FromResult(new Page<BackupDrill>(rows.Skip(pageIndex * pageSize).Take(pageSize).ToList(), rows.Count, pageIndex, pageSize));
    }

    // ---- cloud ----
    public Task<RecoveryPoint?> FindAsync(CloudScope scope, string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Points.FirstOrDefault(p => p.Scope == scope && p.Id == id));

    public Task<IReadOnlyList<RecoveryPoint>> InstancePointsAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RecoveryPoint>>(Points.Where(p => p.Scope == scope && p.InstanceId == instanceId).ToList());

    public Task<string?> ProblemAsync(CloudScope scope, string keyId, CancellationToken cancellationToken = default)
    {
        KeyChecks.Add((scope, keyId));
        return Task.FromResult(keyId == "alias/backups-dr" ? null : $"Key {keyId} does not exist in {scope.Region} (account {scope.AccountId}).");
    }

    public Task<BackupCreation> CreateSnapshotsAsync(InstanceRef instance, IReadOnlyList<string> deviceNames, IReadOnlyDictionary<string, string> tags, string description, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<BackupCreation> CreateImageAsync(InstanceRef instance, string name, bool reboot, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<BackupCreation> CopyAsync(RecoveryPoint point, CloudScope destination, string? kmsKeyId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecoveryPoint>> WindowPointsAsync(CloudScope scope, BackupWindow window, RecoveryPointKind kind, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecoveryPoint>> RecoveryPointsAsync(CloudScope scope, Guid policyId, RecoveryPointKind kind, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlySet<string>> SnapshotsBehindImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<BackupResult> DeleteAsync(RecoveryPoint point, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<DrLaunch> LaunchAsync(CloudScope scope, DrInstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<InstanceHealth> HealthAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task CleanUpAsync(CloudScope scope, string instanceId, string? registeredImageId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
