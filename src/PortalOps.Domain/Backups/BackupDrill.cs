using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

public enum DrillStatus
{
    Running,

    /// <summary>Every instance came up in the DR region, running and passing its status checks.</summary>
    Passed,

    /// <summary>At least one instance could not be restored or did not pass its checks in time.</summary>
    Failed,
}

public enum DrillItemStatus
{
    /// <summary>Not launched yet.</summary>
    Pending,

    /// <summary>Launched from its latest copies; waiting for running and passing status checks.</summary>
    Launched,

    /// <summary>Running with status checks passed: the RTO is measured.</summary>
    Recovered,
    Failed,
}

/// <summary>One instance of a drill: where it is restored, what was launched, when it was usable, and whether that was cleaned up.</summary>
public sealed record DrillItem(InstanceRef Source, string Name, IReadOnlyDictionary<string, string> Tags, string DrAccountId, string DrRegion)
{
    public DrillItemStatus Status { get; init; }

    /// <summary>The window of the copies restored.</summary>
    public string? Window { get; init; }

    public string? RestoredInstanceId { get; init; }

    public string? RegisteredImageId { get; init; }

    public DateTimeOffset? LaunchedAt { get; init; }

    public DateTimeOffset? RecoveredAt { get; init; }

    /// <summary>From the drill's start to this instance running with its checks passed.</summary>
    public TimeSpan? Rto { get; init; }

    public string? Error { get; init; }

    /// <summary>What the drill launched is gone again (terminated, registered image deregistered).</summary>
    public bool CleanedUp { get; init; }

    public CloudScope DrScope => new(DrAccountId, DrRegion);

    public bool IsDone => Status is DrillItemStatus.Recovered or DrillItemStatus.Failed && (CleanedUp || RestoredInstanceId is null);
}

/// <summary>
/// A disaster-recovery drill: the latest copies of chosen instances restored in their DR region, watched until they run and pass their
/// status checks (the RTO), then removed. Moved on in short steps by <see cref="DrillEngine"/>, each saved over the version it read.
/// </summary>
public sealed class BackupDrill
{
    private List<DrillItem> items = [];

    private BackupDrill()
    {
        RequestedByName = string.Empty;
    }

    public Guid Id { get; private init; }

    public Guid RequestedBy { get; private init; }

    public string RequestedByName { get; private init; }

    public DateTimeOffset CreatedAt { get; private init; }

    /// <summary>An instance not passing its checks by then fails the drill.</summary>
    public DateTimeOffset Deadline { get; private init; }

    /// <summary>Instance type to launch (null: the source's).</summary>
    public string? InstanceType { get; private init; }

    public DrillStatus Status { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public int Version { get; private set; }

    public IReadOnlyList<DrillItem> Items => items;

    public bool IsFinished => Status != DrillStatus.Running;

    /// <summary>The slowest instance's RTO: how long the drill took to have every instance usable (null until all recovered).</summary>
    public TimeSpan? Rto => items.Count > 0 && items.All(i => i.Rto is not null) ? items.Max(i => i.Rto) : null;

    /// <summary>What every instance shares: readers must see all of them.</summary>
    public Footprint Footprint => Footprint.Common(items.Select(i => Footprint.Of(i.Source.AccountId, i.Source.Region, i.Tags))) ?? Footprint.Of(string.Empty, string.Empty, null);

    public static BackupDrill Start(Guid id, Actor actor, IEnumerable<DrillItem> items, string? instanceType, TimeSpan timeout, DateTimeOffset now)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            throw new DomainException("Choose at least one protected instance with copies in a DR region.");
        }

        return new BackupDrill
        {
            Id = id, RequestedBy = actor.UserId, RequestedByName = actor.Name, CreatedAt = now, Deadline = now + timeout,
            InstanceType = string.IsNullOrWhiteSpace(instanceType) ? null : instanceType.Trim(), Status = DrillStatus.Running, Version = 1, items = list,
        };
    }

    public static BackupDrill FromStore(Guid id, Guid requestedBy, string requestedByName, DateTimeOffset createdAt, DateTimeOffset deadline, string? instanceType,
        DrillStatus status, DateTimeOffset? finishedAt, int version, IReadOnlyList<DrillItem> items) =>
        new()
        {
            Id = id, RequestedBy = requestedBy, RequestedByName = requestedByName, CreatedAt = createdAt, Deadline = deadline, InstanceType = instanceType,
            Status = status, FinishedAt = finishedAt, Version = version, items = items.ToList(),
        };

    public void Update(DrillItem item)
    {
        var at = items.FindIndex(i => i.Source == item.Source);
        if (at < 0 || IsFinished)
        {
            return;
        }

        items[at] = item;
        Version++;
    }

    /// <summary>Claims a step: saved over the version read, a second worker with the same version is refused.</summary>
    public void Touch() => Version++;

    public bool TryFinish(DateTimeOffset now)
    {
        if (IsFinished || items.Any(i => !i.IsDone))
        {
            return false;
        }

        Status = items.All(i => i.Status == DrillItemStatus.Recovered) ? DrillStatus.Passed : DrillStatus.Failed;
        FinishedAt = now;
        Version++;
        return true;
    }

    public string Describe() =>
        $"DR drill of {items.Count} instance(s): {Status}"
        + (Rto is { } rto ? $", RTO {Math.Round(rto.TotalMinutes, 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} min" : string.Empty)
        + (items.Count(i => i.Status == DrillItemStatus.Failed) is > 0 and var f ? $", {f} failed" : string.Empty);
}

/// <summary>Drills, saved with optimistic concurrency.</summary>
public interface IBackupDrillStore
{
    Task AddAsync(BackupDrill drill, CancellationToken cancellationToken = default);

    Task<BackupDrill?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="ConcurrencyConflictException"/> when the stored drill is not at <paramref name="expectedVersion"/>.</summary>
    Task SaveAsync(BackupDrill drill, int expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Newest first, only drills the scope covers.</summary>
    Task<Page<BackupDrill>> QueryAsync(ReadScope scope, int pageIndex, int pageSize, CancellationToken cancellationToken = default);
}
