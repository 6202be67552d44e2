using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Backups;

/// <summary>
/// Starts due windows and moves their runs on, one short step at a time: ask for snapshots or images, look whether they completed,
/// ask for the cross-region copies, look again, prune. Nothing here waits for a snapshot; the job calls again a minute later, so no
/// worker is held while EBS works. A step first saves over the version it read (claiming the run), so two workers never step a run together;
/// and every create looks for what the window already made (by tag), so a repeated step makes nothing twice.
/// </summary>
public sealed class BackupRunEngine(
    IBackupPolicyStore policies,
    IBackupRunStore runs,
    IInventory inventory,
    IBackupCloud cloud,
    IBackupProtectionStore protection,
    BackupPlanner planner,
    IBackupNotifier notifier,
    TimeProvider clock)
{
    public BackupEngineSettings Settings { get; init; } = new();

    /// <summary>Makes a run for every due window that has none yet; returns the runs made here (another node may have made the rest).</summary>
    public async Task<IReadOnlyList<BackupRun>> StartDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var all = await policies.ListAsync(cancellationToken);
        var started = new List<BackupRun>();
        IReadOnlyList<Instance>? fleet = null;
        foreach (var window in planner.Due(all, now))
        {
            if (await runs.ExistsAsync(window.Key, cancellationToken))
            {
                continue;
            }

            fleet ??= await Fleet.AllAsync(inventory, cancellationToken);
            var policy = all.First(p => p.Id == window.PolicyId);
            var run = BackupRun.Plan(policy, window, fleet, now);
            if (await runs.TryAddAsync(run, cancellationToken))
            {
                await protection.RecordAsync(run, policy, cancellationToken);
                started.Add(run);
            }
        }

        return started;
    }

    /// <summary>A run outside the schedule (run-now) for one rule of a policy; the window is this second, so it has its own key.</summary>
    public async Task<BackupRun> StartNowAsync(BackupPolicy policy, string ruleName, CancellationToken cancellationToken = default)
    {
        var rule = policy.Rule(ruleName) ?? throw new DomainException($"Policy {policy.Name} has no rule '{ruleName}'.");
        var now = clock.GetUtcNow();
        var window = new BackupWindow(policy.Id, rule.Name, new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero));
        var run = BackupRun.Plan(policy, window, await Fleet.AllAsync(inventory, cancellationToken), now);
        if (!await runs.TryAddAsync(run, cancellationToken))
        {
            throw new DomainException($"A run of {rule.Name} for {policy.Name} was started this second already.");
        }

        await protection.RecordAsync(run, policy, cancellationToken);

        return run;
    }

    /// <summary>Steps every active run once; returns how many changed.</summary>
    public async Task<int> AdvanceActiveAsync(CancellationToken cancellationToken = default)
    {
        var changed = 0;
        foreach (var id in await runs.ActiveAsync(cancellationToken))
        {
            if (await AdvanceAsync(id, cancellationToken))
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>One step of one run; true when it changed.</summary>
    public async Task<bool> AdvanceAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await runs.FindAsync(runId, cancellationToken);
        var now = clock.GetUtcNow();
        if (run is null || (run.IsFinished && run.PruneDone) || run.LeaseUntil > now)
        {
            return false;
        }

        var policy = await policies.FindAsync(run.PolicyId, cancellationToken);
        if (policy is null)
        {
            foreach (var item in run.Items.Where(i => !i.IsFinished))
            {
                run.Update(item with { Status = BackupItemStatus.Failed, Error = "The policy was deleted." });
            }
        }

        // Claim the step: a second worker reading the same version fails here, and one reading later sees the lease.
        var read = run.Version;
        run.Lease(now + Settings.Lease);
        if (!await TrySaveAsync(run, read, cancellationToken))
        {
            return false;
        }

        var claimed = run.Version;

        if (policy is not null && !run.IsFinished)
        {
            var stepped = await StepItemsAsync(run, policy, now, cancellationToken);
            foreach (var item in stepped)
            {
                run.Update(item);
            }
        }

        var finishedNow = run.TryFinish(now);
        if (run.IsFinished && !run.PruneDone)
        {
            if (policy is null)
            {
                run.RecordPrune(0, "The policy was deleted; nothing pruned.");
            }
            else
            {
                await PruneAsync(run, policy, now, cancellationToken);
            }
        }

        run.Release();
        if (!await TrySaveAsync(run, claimed, cancellationToken))
        {
            return false;
        }

        if (finishedNow)
        {
            if (policy is not null)
            {
                await protection.RecordAsync(run, policy, cancellationToken);
            }

            await notifier.RunFinishedAsync(run, cancellationToken);
        }

        return true;
    }

    private async Task<IReadOnlyList<BackupItem>> StepItemsAsync(BackupRun run, BackupPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var kind = KindOf(run);
        var creating = run.Items.Where(i => i.Status == BackupItemStatus.Creating).ToList();
        var copyingItems = run.Items.Where(i => i.Status == BackupItemStatus.Copying).ToList();
        var toCreate = run.Items
            .Where(i => i.Status == BackupItemStatus.Pending && (i.NextAttemptAt is null || i.NextAttemptAt <= now))
            .Take(Math.Max(0, Settings.MaxInFlight - creating.Count))
            .ToList();

        // What the window already made is read once per step (paged by the adapter), never once per instance.
        var source = toCreate.Count + creating.Count == 0 ? [] : await cloud.WindowPointsAsync(policy.Scope, run.Window, kind, cancellationToken);
        var sourceById = source.Where(p => !p.IsCopy).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var sourceByInstance = source.Where(p => !p.IsCopy && p.State != RecoveryPointState.Error && p.InstanceId is not null)
            .GroupBy(p => p.InstanceId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToList(), StringComparer.Ordinal);
        var destination = policy.CopyScope;
        var copies = destination is null || copyingItems.Count + creating.Count == 0 ? [] : await cloud.WindowPointsAsync(destination, run.Window, kind, cancellationToken);
        var copyById = copies.Where(p => p.IsCopy).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var copyBySource = copies.Where(p => p.IsCopy && p.State != RecoveryPointState.Error && p.SourceId is not null)
            .GroupBy(p => p.SourceId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);

        var results = new System.Collections.Concurrent.ConcurrentBag<BackupItem>();
        var copySlots = Math.Max(0, Settings.MaxCopiesInFlight - copyingItems.Count);
        var copyGate = new SemaphoreSlim(copySlots, Math.Max(1, copySlots));
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Settings.Parallelism), CancellationToken = cancellationToken };

        await Parallel.ForEachAsync(toCreate, options, async (item, ct) =>
            results.Add(sourceByInstance.TryGetValue(item.Instance.InstanceId, out var made)
                ? item with { Status = BackupItemStatus.Creating, PointIds = made, Attempts = Math.Max(1, item.Attempts), NextAttemptAt = null }
                : await CreateAsync(run, policy, item, now, ct)));
        await Parallel.ForEachAsync(creating, options, async (item, ct) =>
            results.Add(await CheckCreatedAsync(policy, item, sourceById, copyBySource, copyGate, now, ct)));
        foreach (var item in copyingItems)
        {
            results.Add(CheckCopied(item, copyById, now));
        }

        return results.ToList();
    }

    private async Task<BackupItem> CreateAsync(BackupRun run, BackupPolicy policy, BackupItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tags = TagsFor(policy, item, BackupTags.For(run.Window, item.Instance.InstanceId));
        try
        {
            var made = policy.Kind == BackupKind.Snapshots
                ? await cloud.CreateSnapshotsAsync(item.Instance, policy.Content.DeviceNames ?? [], tags,
                    $"PortalOps {policy.Name} {run.RuleName} {BackupTags.WindowText(run.WindowStart)} {item.Instance.InstanceId}", cancellationToken)
                : await cloud.CreateImageAsync(item.Instance, ImageName(run, item), policy.Content.Reboot, tags, cancellationToken);
            if (made.ResourceIds.Count == 0)
            {
                return Failed(item with { Attempts = item.Attempts + 1 }, "The instance has no EBS volume to snapshot.", now);
            }

            return item with { Status = BackupItemStatus.Creating, PointIds = made.ResourceIds, Attempts = item.Attempts + 1, NextAttemptAt = null };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Retry(item with { Attempts = item.Attempts + 1 }, e.Message, now);
        }
    }

    private async Task<BackupItem> CheckCreatedAsync(BackupPolicy policy, BackupItem item, IReadOnlyDictionary<string, RecoveryPoint> states,
        IReadOnlyDictionary<string, string> copyBySource, SemaphoreSlim copyGate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var points = item.PointIds.Select(id => states.GetValueOrDefault(id)).ToList();
        if (points.Any(p => p is null || p.State == RecoveryPointState.Error))
        {
            var bad = item.PointIds.Zip(points).Where(x => x.Second is null || x.Second.State == RecoveryPointState.Error).ToList();
            var message = string.Join("; ", bad.Select(x => x.Second is null ? $"{x.First} disappeared" : $"{x.First} failed{(x.Second.Error is { Length: > 0 } why ? $": {why}" : string.Empty)}"));

            // Remove the whole failed set (its good members too), so the retry makes one clean set and nothing is left half-done.
            foreach (var p in points.Where(p => p is not null))
            {
                try
                {
                    await cloud.DeleteAsync(p!, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    message += $"; cleaning up {p!.Id} failed: {e.Message}";
                }
            }

            return Retry(item with { PointIds = [] }, message, now);
        }

        if (points.Any(p => p!.State != RecoveryPointState.Completed))
        {
            return item;
        }

        if (policy.CopyScope is not { } destination)
        {
            return item with { Status = BackupItemStatus.Succeeded, CompletedAt = now };
        }

        var completedAt = item.CompletedAt ?? now;
        if (points.All(p => copyBySource.ContainsKey(p!.Id)))
        {
            return item with { Status = BackupItemStatus.Copying, CopyIds = points.Select(p => copyBySource[p!.Id]).ToList(), CompletedAt = completedAt };
        }

        if (!await copyGate.WaitAsync(0, cancellationToken))
        {
            return item with { CompletedAt = completedAt };
        }

        var copies = new List<string>();
        try
        {
            foreach (var point in points)
            {
                if (copyBySource.TryGetValue(point!.Id, out var existing))
                {
                    copies.Add(existing);
                    continue;
                }

                var tags = new Dictionary<string, string>(point.Tags, StringComparer.Ordinal)
                {
                    [BackupTags.Copy] = "copy",
                    [BackupTags.Source] = point.Id,
                };
                if (point.VolumeId is { } volume)
                {
                    tags[BackupTags.Volume] = volume;
                }

                var copy = await cloud.CopyAsync(point, destination, policy.Copy!.KmsKeyId, tags, cancellationToken);
                copies.AddRange(copy.ResourceIds);
            }

            return item with { Status = BackupItemStatus.Copying, CopyIds = copies, CompletedAt = completedAt };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The source points are good; the copy is retried on the next step, at most MaxAttempts times.
            var copyAttempts = item.CopyAttempts + 1;
            var message = $"Copy to {destination.Region} failed: {e.Message}";
            return copyAttempts >= Settings.MaxAttempts
                ? Failed(item with { CopyAttempts = copyAttempts, CompletedAt = completedAt }, $"{message} (after {copyAttempts} attempt(s))", now)
                : item with { CopyAttempts = copyAttempts, Error = message, CompletedAt = completedAt };
        }
    }

    private static BackupItem CheckCopied(BackupItem item, IReadOnlyDictionary<string, RecoveryPoint> states, DateTimeOffset now)
    {
        var copies = item.CopyIds.Select(id => states.GetValueOrDefault(id)).ToList();
        if (copies.Any(c => c is null || c.State == RecoveryPointState.Error))
        {
            var what = item.CopyIds.Zip(copies).Where(x => x.Second is null || x.Second.State == RecoveryPointState.Error)
                .Select(x => x.Second is null ? $"{x.First} disappeared" : $"{x.First} failed {x.Second.Error}".TrimEnd());
            return item with { Status = BackupItemStatus.Failed, Error = $"The copy failed: {string.Join("; ", what)}" };
        }

        return copies.All(c => c!.State == RecoveryPointState.Completed)
            ? item with { Status = BackupItemStatus.Succeeded, CopiedAt = now }
            : item;
    }

    /// <summary>Our tags, and (when the policy copies tags) the instance's own, leaving room under EC2's 50-tag limit.</summary>
    private static Dictionary<string, string> TagsFor(BackupPolicy policy, BackupItem item, Dictionary<string, string> ours)
    {
        if (!policy.Content.CopyTags)
        {
            return ours;
        }

        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in item.Tags.Where(t => !BackupTags.IsOurs(t.Key)).Take(50 - ours.Count))
        {
            all[k] = v;
        }

        foreach (var (k, v) in ours)
        {
            all[k] = v;
        }

        return all;
    }

    private BackupItem Retry(BackupItem item, string error, DateTimeOffset now) =>
        item.Attempts >= Settings.MaxAttempts
            ? Failed(item, $"{error} (after {item.Attempts} attempt(s))", now)
            : item with { Status = BackupItemStatus.Pending, Error = error, NextAttemptAt = now + Settings.RetryDelay };

    private static BackupItem Failed(BackupItem item, string error, DateTimeOffset now) =>
        item with { Status = BackupItemStatus.Failed, Error = error, NextAttemptAt = null };

    private async Task PruneAsync(BackupRun run, BackupPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rule = policy.Rule(run.RuleName);
        var kind = KindOf(run);
        if (rule is null)
        {
            run.RecordPrune(0, $"Rule {run.RuleName} is no longer in the policy; nothing pruned.");
            return;
        }

        var deleted = 0;
        var notes = new List<string>();
        try
        {
            deleted += await PruneScopeAsync(policy.Scope, policy, kind, rule.Name, false, rule.KeepCount, rule.KeepDays, notes, now, cancellationToken);
            if (policy.CopyScope is { } destination)
            {
                deleted += await PruneScopeAsync(destination, policy, kind, rule.Name, true, policy.Copy!.KeepCount, policy.Copy.KeepDays, notes, now, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            notes.Add($"Pruning stopped: {e.Message}");
        }

        run.RecordPrune(deleted, notes.Count == 0 ? null : string.Join(" ", notes.Take(20)));
    }

    private async Task<int> PruneScopeAsync(CloudScope scope, BackupPolicy policy, RecoveryPointKind kind, string rule, bool copies, int keepCount, int? keepDays, List<string> notes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var points = await cloud.RecoveryPointsAsync(scope, policy.Id, kind, cancellationToken);
        var behind = await cloud.SnapshotsBehindImagesAsync(scope, cancellationToken);
        var deleted = 0;
        foreach (var decision in RetentionPlanner.Plan(points, policy.Id, rule, copies, keepCount, keepDays, behind, now))
        {
            if (!decision.Delete)
            {
                notes.Add($"{decision.Point.Id} {decision.Reason}.");
                continue;
            }

            try
            {
                await cloud.DeleteAsync(decision.Point, cancellationToken);
                deleted++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                notes.Add($"{decision.Point.Id} not deleted: {e.Message}");
            }
        }

        return deleted;
    }

    private static RecoveryPointKind KindOf(BackupRun run) => run.Kind == BackupKind.Image ? RecoveryPointKind.Image : RecoveryPointKind.Snapshot;

    private static string ImageName(BackupRun run, BackupItem item) =>
        $"portalops-{run.PolicyName}-{run.RuleName}-{item.Instance.InstanceId}-{run.WindowStart.UtcDateTime:yyyyMMddTHHmmss}";

    private async Task<bool> TrySaveAsync(BackupRun run, int expected, CancellationToken cancellationToken)
    {
        try
        {
            await runs.SaveAsync(run, expected, cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }
}
