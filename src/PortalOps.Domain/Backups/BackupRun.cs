using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

public enum BackupRunStatus
{
    Running,
    Succeeded,
    PartlyFailed,
    Failed,
}

public enum BackupItemStatus
{
    /// <summary>Not asked yet, or asked again after a failed attempt (<see cref="BackupItem.NextAttemptAt"/>).</summary>
    Pending,

    /// <summary>The snapshots or image were asked for; waiting for them to complete.</summary>
    Creating,

    /// <summary>Completed at the source; the cross-region copies were asked for.</summary>
    Copying,
    Succeeded,
    Failed,
}

/// <summary>One instance of a run: what was made for it, its copies, and what went wrong (AWS's error code and request id in <see cref="Error"/>).</summary>
public sealed record BackupItem(InstanceRef Instance, string Name, IReadOnlyDictionary<string, string> Tags)
{
    public BackupItemStatus Status { get; init; }

    public IReadOnlyList<string> PointIds { get; init; } = [];

    public IReadOnlyList<string> CopyIds { get; init; } = [];

    /// <summary>Create (or copy) attempts so far.</summary>
    public int Attempts { get; init; }

    public string? Error { get; init; }

    /// <summary>Failed cross-region copy requests so far.</summary>
    public int CopyAttempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public DateTimeOffset? CopiedAt { get; init; }

    public bool IsFinished => Status is BackupItemStatus.Succeeded or BackupItemStatus.Failed;
}

/// <summary>
/// One window of one policy rule: the instances it backs up and how each went. Made once per <see cref="Key"/>; moved on in short steps
/// by <see cref="BackupRunEngine"/>, each saved over the version it read.
/// </summary>
public sealed class BackupRun
{
    private List<BackupItem> items = [];

    private BackupRun()
    {
        Key = PolicyName = RuleName = AccountId = Region = string.Empty;
        Tags = new Dictionary<string, string>();
    }

    public Guid Id { get; private init; }

    /// <summary>Policy, rule and window start: unique across all runs.</summary>
    public string Key { get; private init; }

    public Guid PolicyId { get; private init; }

    public int PolicyVersion { get; private init; }

    public string PolicyName { get; private init; }

    public string RuleName { get; private init; }

    public DateTimeOffset WindowStart { get; private init; }

    public string AccountId { get; private init; }

    public string Region { get; private init; }

    /// <summary>The policy's selector tags: with account and region, the run's footprint for scoped reads.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; private init; }

    public BackupKind Kind { get; private init; }

    public BackupRunStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private init; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Points deleted by retention after the run, at the source and in the DR region.</summary>
    public int Pruned { get; private set; }

    /// <summary>What retention kept although expired (behind an image, the last good one), or why it could not prune.</summary>
    public string? PruneNote { get; private set; }

    /// <summary>Whether retention ran for this window (it runs once, after the items finish).</summary>
    public bool PruneDone { get; private set; }

    public int Version { get; private set; }

    /// <summary>Until when a worker is stepping the run: others leave it alone (a worker that died loses the lease when it expires).</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }

    public IReadOnlyList<BackupItem> Items => items;

    public bool IsFinished => Status != BackupRunStatus.Running;

    public Footprint Footprint => Footprint.Of(AccountId, Region, Tags);

    public BackupWindow Window => new(PolicyId, RuleName, WindowStart);

    public static BackupRun Plan(BackupPolicy policy, BackupWindow window, IEnumerable<Instance> instances, DateTimeOffset now)
    {
        var run = new BackupRun
        {
            Id = Guid.CreateVersion7(now), Key = window.Key, PolicyId = policy.Id, PolicyVersion = policy.Version, PolicyName = policy.Name,
            RuleName = window.RuleName, WindowStart = window.Start, AccountId = policy.AccountId, Region = policy.Region,
            Tags = policy.Content.SelectorTags, Kind = policy.Kind, CreatedAt = now, Status = BackupRunStatus.Running, Version = 1,
        };
        run.items = instances.Where(policy.Selects).OrderBy(i => i.InstanceId, StringComparer.Ordinal)
            .Select(i => new BackupItem(i.Ref, i.Name, i.Tags)).ToList();
        if (run.items.Count == 0)
        {
            run.Status = BackupRunStatus.Succeeded;
            run.FinishedAt = now;
            run.PruneDone = true;
            run.PruneNote = "No instance matched the policy.";
        }

        return run;
    }

    public static BackupRun FromStore(Guid id, string key, Guid policyId, int policyVersion, string policyName, string ruleName, DateTimeOffset windowStart,
        string accountId, string region, IReadOnlyDictionary<string, string> tags, BackupKind kind, BackupRunStatus status, DateTimeOffset createdAt,
        DateTimeOffset? finishedAt, int pruned, string? pruneNote, bool pruneDone, int version, IReadOnlyList<BackupItem> items, DateTimeOffset? leaseUntil = null) =>
        new()
        {
            Id = id, Key = key, PolicyId = policyId, PolicyVersion = policyVersion, PolicyName = policyName, RuleName = ruleName, WindowStart = windowStart,
            AccountId = accountId, Region = region, Tags = tags, Kind = kind, Status = status, CreatedAt = createdAt, FinishedAt = finishedAt,
            Pruned = pruned, PruneNote = pruneNote, PruneDone = pruneDone, Version = version, items = items.ToList(), LeaseUntil = leaseUntil,
        };

    public int Count(BackupItemStatus status) => items.Count(i => i.Status == status);

    /// <summary>Replaces one instance's item (matched by instance) and marks the run changed.</summary>
    public void Update(BackupItem item)
    {
        var at = items.FindIndex(i => i.Instance == item.Instance);
        if (at < 0 || IsFinished)
        {
            return;
        }

        items[at] = item;
        Version++;
    }

    /// <summary>Marks the run finished once every item is: Succeeded, Failed, or PartlyFailed.</summary>
    public bool TryFinish(DateTimeOffset now)
    {
        if (IsFinished || items.Any(i => !i.IsFinished))
        {
            return false;
        }

        var failed = Count(BackupItemStatus.Failed);
        Status = failed == 0 ? BackupRunStatus.Succeeded : failed == items.Count ? BackupRunStatus.Failed : BackupRunStatus.PartlyFailed;
        FinishedAt = now;
        Version++;
        return true;
    }

    /// <summary>
    /// Claims a step until <paramref name="until"/>: saving this over the version read fails for a second worker that read the same
    /// version, and a worker reading it afterwards sees the lease and leaves the run alone.
    /// </summary>
    public void Lease(DateTimeOffset until)
    {
        LeaseUntil = until;
        Version++;
    }

    /// <summary>Ends the step's lease (saved with the step's outcome).</summary>
    public void Release()
    {
        LeaseUntil = null;
        Version++;
    }

    public void RecordPrune(int deleted, string? note)
    {
        Pruned += deleted;
        PruneNote = note;
        PruneDone = true;
        Version++;
    }

    /// <summary>One line for messages: "daily of web-backups at 02:00Z: 10 ok, 1 failed".</summary>
    public string Describe() =>
        $"{RuleName} of {PolicyName} at {BackupTags.WindowText(WindowStart)}: {Count(BackupItemStatus.Succeeded)} ok"
        + (Count(BackupItemStatus.Failed) is > 0 and var f ? $", {f} failed" : string.Empty)
        + (IsFinished ? string.Empty : $", {items.Count(i => !i.IsFinished)} in progress");
}
