using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;

// One backup window for N instances with 2 volumes each, copied to a DR region, stepped by the engine until done and pruned.
// Every cloud call waits a fixed latency (default 200 ms) and is counted; snapshots complete one step after they are asked for.
// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Backups -- --instances 1000 --latency-ms 200 --max-in-flight 100 --copies-in-flight 20
var instances = Arg("--instances", 1000);
var latency = TimeSpan.FromMilliseconds(Arg("--latency-ms", 200));
var settings = new BackupEngineSettings { MaxInFlight = Arg("--max-in-flight", 100), MaxCopiesInFlight = Arg("--copies-in-flight", 20), Parallelism = Arg("--parallelism", 16) };

var clock = new SteppedClock(new DateTimeOffset(2026, 6, 1, 2, 1, 0, TimeSpan.Zero));
var fleet = Enumerable.Range(0, instances).Select(i => new Instance(
    new InstanceRef("123456789012", "eu-west-1", $"i-{i:x17}"), $"web-{i}", "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX", clock.GetUtcNow(),
    new Dictionary<string, string> { ["Backup"] = "daily", ["Name"] = $"web-{i}" },
    [new Volume($"vol-{i:x8}a", 8, "gp3", true, "/dev/xvda"), new Volume($"vol-{i:x8}b", 50, "gp3", true, "/dev/sdf")])).ToList();
var cloud = new LatencyCloud(latency, fleet);
var policies = new Policies();
var runs = new Runs();
var cron = new CronosSchedule();
var policy = BackupPolicy.Create(new BackupPolicyDraft("web", "123456789012", "eu-west-1", new Dictionary<string, string> { ["Backup"] = "daily" }, [],
    [new BackupRule("daily", "0 2 * * *", "UTC", 7)], Copy: new DisasterRecoveryCopy("eu-central-1", null, 7)), cron,
    new Actor(Guid.NewGuid(), "bench", Role.Admin, [Scope.Everything], Channel.System), clock.GetUtcNow().AddDays(-1));
await policies.AddVersionAsync(policy);
var engine = new BackupRunEngine(policies, runs, new Fleet(fleet), cloud, new NoProtection(), new BackupPlanner(cron), new SilentBackupNotifier(), clock) { Settings = settings };

var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
var run = (await engine.StartDueAsync()).Single();
var steps = 0;
while (true)
{
    await engine.AdvanceAsync(run.Id);
    steps++;
    run = (await runs.FindAsync(run.Id))!;
    if (run.IsFinished && run.PruneDone)
    {
        break;
    }

    clock.Advance(TimeSpan.FromMinutes(1));
}

wall.Stop();
var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
Console.WriteLine($"instances {instances}, volumes {instances * 2}, latency {latency.TotalMilliseconds} ms, max in flight {settings.MaxInFlight}, copies in flight {settings.MaxCopiesInFlight}, parallelism {settings.Parallelism}");
Console.WriteLine($"status {run.Status}, steps (job runs) {steps}");
foreach (var (op, n) in cloud.Calls.OrderBy(c => c.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  {op,-22} {n,6}");
}

Console.WriteLine($"wall time (sum of steps) {wall.Elapsed.TotalSeconds:F1} s, job CPU {used.TotalSeconds:F2} s");

int Arg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

internal sealed class Fleet(List<Instance> all) : IInventory
{
    public Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default) => Task.FromResult(query.Apply(all));

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default) => Task.FromResult(all.FirstOrDefault(i => i.Ref == instance));

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<Scope>? visibleTo = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

/// <summary>EC2 as the engine sees it: each call waits the latency; lists page at 1000 like DescribeSnapshots.</summary>
internal sealed class LatencyCloud(TimeSpan latency, List<Instance> fleet) : IBackupCloud
{
    private readonly ConcurrentDictionary<string, RecoveryPoint> points = new(StringComparer.Ordinal);
    private int next;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public async Task<BackupCreation> CreateSnapshotsAsync(InstanceRef instance, IReadOnlyList<string> deviceNames, IReadOnlyDictionary<string, string> tags, string description, CancellationToken cancellationToken = default)
    {
        await Call("CreateSnapshots");
        var ids = new List<string>();
        foreach (var v in fleet.First(i => i.Ref == instance).Volumes)
        {
            var id = $"snap-{Interlocked.Increment(ref next):x17}";
            points[id] = new RecoveryPoint(new CloudScope(instance.AccountId, instance.Region), id, RecoveryPointKind.Snapshot, RecoveryPointState.Pending,
                DateTimeOffset.Parse(tags[BackupTags.Window], CultureInfo.InvariantCulture), tags, v.VolumeId, v.SizeGiB);
            ids.Add(id);
        }

        return new BackupCreation(ids, null);
    }

    public Task<BackupCreation> CreateImageAsync(InstanceRef instance, string name, bool reboot, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public async Task<BackupCreation> CopyAsync(RecoveryPoint point, CloudScope destination, string? kmsKeyId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        await Call("CopySnapshot");
        var id = $"snap-{Interlocked.Increment(ref next):x17}";
        points[id] = point with { Scope = destination, Id = id, Tags = tags, State = RecoveryPointState.Pending };
        return new BackupCreation([id], null);
    }

    public async Task<IReadOnlyList<RecoveryPoint>> WindowPointsAsync(CloudScope scope, BackupWindow window, RecoveryPointKind kind, CancellationToken cancellationToken = default)
    {
        var list = points.Values.Where(p => p.Scope == scope).ToList();
        await Pages("DescribeSnapshots (window)", list.Count);

        // What was pending when last read has completed by now (one step later).
        foreach (var p in list.Where(p => p.State == RecoveryPointState.Pending))
        {
            points[p.Id] = p with { State = RecoveryPointState.Completed };
        }

        return list;
    }

    public async Task<IReadOnlyList<RecoveryPoint>> RecoveryPointsAsync(CloudScope scope, Guid policyId, RecoveryPointKind kind, CancellationToken cancellationToken = default)
    {
        var list = points.Values.Where(p => p.Scope == scope).ToList();
        await Pages("DescribeSnapshots (prune)", list.Count);
        return list;
    }

    public Task<RecoveryPoint?> FindAsync(CloudScope scope, string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public async Task<IReadOnlySet<string>> SnapshotsBehindImagesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        await Call("DescribeImages");
        return new HashSet<string>();
    }

    public async Task<BackupResult> DeleteAsync(RecoveryPoint point, CancellationToken cancellationToken = default)
    {
        await Call("DeleteSnapshot");
        points.TryRemove(point.Id, out _);
        return new BackupResult(point.Id, null);
    }

    public Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    private async Task Pages(string operation, int count)
    {
        for (var page = 0; page < Math.Max(1, (count + 999) / 1000); page++)
        {
            await Call(operation);
        }
    }

    private Task Call(string operation)
    {
        Calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return Task.Delay(latency);
    }
}

internal sealed class Policies : IBackupPolicyStore
{
    private readonly List<BackupPolicy> all = [];

    public Task<IReadOnlyList<BackupPolicy>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<BackupPolicy>>(all);

    public Task<BackupPolicy?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(all.FirstOrDefault(p => p.Id == id));

    public Task<IReadOnlyList<BackupPolicy>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<BackupPolicy>>(all);

    public Task AddVersionAsync(BackupPolicy policy, CancellationToken cancellationToken = default)
    {
        all.Add(policy);
        return Task.CompletedTask;
    }
}

internal sealed class Runs : IBackupRunStore
{
    private readonly Dictionary<Guid, BackupRun> all = [];

    public Task<bool> TryAddAsync(BackupRun run, CancellationToken cancellationToken = default) => Task.FromResult(all.TryAdd(run.Id, run));

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(all.Values.Any(r => r.Key == key));

    public Task<BackupRun?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(all.GetValueOrDefault(id));

    public Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<Guid>>(all.Keys.ToList());

    public Task SaveAsync(BackupRun run, int expectedVersion, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<BackupRun>> QueryAsync(ReadScope scope, BackupRunQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<BackupRun>> FinishedSinceAsync(ReadScope scope, DateTimeOffset since, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

internal sealed class NoProtection : IBackupProtectionStore
{
    public Task RecordAsync(BackupRun run, BackupPolicy policy, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Page<ProtectedInstance>> QueryAsync(ProtectionQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<ProtectedInstance>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
