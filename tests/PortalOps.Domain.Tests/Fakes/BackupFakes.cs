using System.Collections.Concurrent;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Fakes;

/// <summary>Accepts every cron and zone and never fires: for tests that start runs by hand.</summary>
internal sealed class NeverCron : ICronSchedule
{
    public string? CronProblem(string cron, string timeZone) => null;

    public string? TimeZoneProblem(string timeZone) => null;

    public IEnumerable<DateTimeOffset> Occurrences(string cron, string timeZone, DateTimeOffset fromExclusive, DateTimeOffset toInclusive) => [];
}

internal sealed class InMemoryBackupPolicyStore : IBackupPolicyStore
{
    private readonly List<BackupPolicy> versions = [];

    public Task<IReadOnlyList<BackupPolicy>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BackupPolicy>>(versions.GroupBy(p => p.Id).Select(g => g.MaxBy(p => p.Version)!).ToList());

    public Task<BackupPolicy?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult(versions.Where(p => p.Id == id).MaxBy(p => p.Version));

    public Task<IReadOnlyList<BackupPolicy>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BackupPolicy>>(versions.Where(p => p.Id == id).OrderByDescending(p => p.Version).ToList());

    public Task AddVersionAsync(BackupPolicy policy, CancellationToken cancellationToken = default)
    {
        if (versions.Any(p => p.Id == policy.Id && p.Version == policy.Version))
        {
            throw new ConcurrencyConflictException("exists");
        }

        versions.Add(policy);
        return Task.CompletedTask;
    }
}

/// <summary>Keeps runs as their stored versions (a copy per save), so a stale copy's save is refused as the database would.</summary>
internal sealed class InMemoryBackupRunStore : IBackupRunStore
{
    private readonly ConcurrentDictionary<Guid, (int Version, BackupRun Run)> runs = new();

    public Task<bool> TryAddAsync(BackupRun run, CancellationToken cancellationToken = default)
    {
        if (runs.Values.Any(r => r.Run.Key == run.Key))
        {
            return Task.FromResult(false);
        }

        runs[run.Id] = (run.Version, Copy(run));
        return Task.FromResult(true);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(runs.Values.Any(r => r.Run.Key == key));

    public Task<BackupRun?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult(runs.TryGetValue(id, out var r) ? Copy(r.Run) : null);

    public Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Guid>>(runs.Values.Where(r => !r.Run.IsFinished || !r.Run.PruneDone).Select(r => r.Run.Id).ToList());

    public Task SaveAsync(BackupRun run, int expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (runs)
        {
            if (!runs.TryGetValue(run.Id, out var stored) || stored.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException("changed");
            }

            runs[run.Id] = (run.Version, Copy(run));
        }

        return Task.CompletedTask;
    }

    public Task<Page<BackupRun>> QueryAsync(ReadScope scope, BackupRunQuery query, CancellationToken cancellationToken = default)
    {
        var all = runs.Values.Select(r => r.Run).Where(r => scope.Covers(r.Footprint)).OrderByDescending(r => r.CreatedAt).ToList();
        return Task.FromResult(new Page<BackupRun>(all.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), all.Count, query.PageIndex, query.PageSize));
    }

    public Task<IReadOnlyList<BackupRun>> FinishedSinceAsync(ReadScope scope, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BackupRun>>(runs.Values.Select(r => r.Run).Where(r => scope.Covers(r.Footprint) && r.FinishedAt >= since).ToList());

    private static BackupRun Copy(BackupRun r) =>
        BackupRun.FromStore(r.Id, r.Key, r.PolicyId, r.PolicyVersion, r.PolicyName, r.RuleName, r.WindowStart, r.AccountId, r.Region, r.Tags, r.Kind, r.Status,
            r.CreatedAt, r.FinishedAt, r.Pruned, r.PruneNote, r.PruneDone, r.Version, r.Items.ToList(), r.LeaseUntil);
}

internal sealed class InMemoryProtectionStore : IBackupProtectionStore
{
    public List<BackupRun> Recorded { get; } = [];

    public Task RecordAsync(BackupRun run, BackupPolicy policy, CancellationToken cancellationToken = default)
    {
        Recorded.Add(run);
        return Task.CompletedTask;
    }

    public Task<Page<ProtectedInstance>> QueryAsync(ProtectionQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Page<ProtectedInstance>.Empty());

    public Task<IReadOnlyList<ProtectedInstance>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ProtectedInstance>>([]);
}

/// <summary>
/// An in-memory cloud with failure injection: <see cref="FailStates"/> makes the next snapshots of an instance come out in error
/// (as EBS reports a failed snapshot), <see cref="PendingSteps"/> keeps new snapshots pending for a number of reads.
/// </summary>
internal sealed class FakeBackupCloud : IBackupCloud
{
    private int next;

    public ConcurrentDictionary<string, RecoveryPoint> Points { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> FailStates { get; } = new(StringComparer.Ordinal);

    public int PendingSteps { get; set; }

    public int CreateCalls;

    public int CopyCalls;

    public List<string> Deleted { get; } = [];

    private readonly ConcurrentDictionary<string, int> pendingReads = new(StringComparer.Ordinal);

    public Task<BackupCreation> CreateSnapshotsAsync(InstanceRef instance, IReadOnlyList<string> deviceNames, IReadOnlyDictionary<string, string> tags, string description, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref CreateCalls);
        var fail = FailStates.TryGetValue(instance.InstanceId, out var left) && left > 0;
        if (fail)
        {
            FailStates[instance.InstanceId] = left - 1;
        }

        var ids = new List<string>();
        foreach (var volume in new[] { "root", "data" })
        {
            var id = $"snap-{Interlocked.Increment(ref next):D4}";
            Points[id] = new RecoveryPoint(new CloudScope(instance.AccountId, instance.Region), id, RecoveryPointKind.Snapshot,
                fail ? RecoveryPointState.Error : RecoveryPointState.Pending, DateTimeOffset.Parse(tags[BackupTags.Window], System.Globalization.CultureInfo.InvariantCulture),
                tags, $"vol-{instance.InstanceId}-{volume}", 8, fail ? "Internal error creating the snapshot." : null);
            pendingReads[id] = PendingSteps;
            ids.Add(id);
        }

        return Task.FromResult(new BackupCreation(ids, "req-create"));
    }

    public Task<BackupCreation> CreateImageAsync(InstanceRef instance, string name, bool reboot, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<BackupCreation> CopyAsync(RecoveryPoint point, CloudScope destination, string? kmsKeyId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref CopyCalls);
        var id = $"snap-c{Interlocked.Increment(ref next):D4}";
        Points[id] = point with { Scope = destination, Id = id, Tags = tags, State = RecoveryPointState.Completed };
        return Task.FromResult(new BackupCreation([id], "req-copy"));
    }

    public Task<IReadOnlyList<RecoveryPoint>> WindowPointsAsync(CloudScope scope, BackupWindow window, RecoveryPointKind kind, CancellationToken cancellationToken = default)
    {
        // Reading advances pending snapshots, as time passing would.
        foreach (var (id, left) in pendingReads)
        {
            if (left <= 0 && Points.TryGetValue(id, out var p) && p.State == RecoveryPointState.Pending)
            {
                Points[id] = p with { State = RecoveryPointState.Completed };
            }

            pendingReads[id] = left - 1;
        }

        return Task.FromResult<IReadOnlyList<RecoveryPoint>>(Points.Values
            .Where(p => p.Scope == scope && p.Window == BackupTags.WindowText(window.Start) && p.PolicyId == window.PolicyId.ToString("N") && p.RuleName == window.RuleName)
            .ToList());
    }

    public Task<IReadOnlyList<RecoveryPoint>> RecoveryPointsAsync(CloudScope scope, Guid policyId, RecoveryPointKind kind, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RecoveryPoint>>(Points.Values.Where(p => p.Scope == scope && p.PolicyId == policyId.ToString("N")).ToList());

    public Task<RecoveryPoint?> FindAsync(CloudScope scope, string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Points.TryGetValue(id, out var p) && p.Scope == scope ? p : null);

    public Task<IReadOnlySet<string>> SnapshotsBehindImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

    public Task<BackupResult> DeleteAsync(RecoveryPoint point, CancellationToken cancellationToken = default)
    {
        lock (Deleted)
        {
            Deleted.Add(point.Id);
        }

        Points.TryRemove(point.Id, out _);
        return Task.FromResult(new BackupResult(point.Id, "req-delete"));
    }

    public Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(new BackupResult("vol-restored", "req-restore"));

    public Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(new BackupResult("i-restored", "req-restore"));
}
