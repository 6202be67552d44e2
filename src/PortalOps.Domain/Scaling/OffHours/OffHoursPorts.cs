using PortalOps.Domain.Notifications;

namespace PortalOps.Domain.Scaling;

/// <summary>Schedules (every version kept), overrides, and the scheduler's once-only records.</summary>
public interface IOffHoursStore
{
    /// <summary>The newest version of each schedule, by name.</summary>
    Task<IReadOnlyList<SavedSchedule>> ListAsync(CancellationToken cancellationToken = default);

    Task<SavedSchedule?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SavedSchedule>> HistoryAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a version; throws <see cref="Common.ConcurrencyConflictException"/> when that version exists already or another schedule
    /// has the name.
    /// </summary>
    Task AddVersionAsync(SavedSchedule schedule, CancellationToken cancellationToken = default);

    /// <summary>Adds an override; false when one with its id exists already (a repeated request).</summary>
    Task<bool> AddOverrideAsync(ScheduleOverride value, CancellationToken cancellationToken = default);

    /// <summary>Overrides that end at or after <paramref name="since"/>, and the latest that ended before it per resource is not needed.</summary>
    Task<IReadOnlyList<ScheduleOverride>> OverridesEndingSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Adds the record unless one with its key exists (on any node): false then.</summary>
    Task<bool> TryClaimAsync(EdgeRecord record, CancellationToken cancellationToken = default);

    Task<EdgeRecord?> FindRecordAsync(string key, CancellationToken cancellationToken = default);

    Task CompleteAsync(string key, EdgeOutcome outcome, string? summary, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Records whose moment is at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<EdgeRecord>> RecordsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Removes records and overrides older than <paramref name="before"/>.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>A running-time limit is near: the instance stops at <see cref="StopsAt"/> unless someone keeps it running.</summary>
public sealed record LimitWarning(ScheduleSubject Subject, DateTimeOffset StopsAt, string Limit, TimeSpan KeepFor);

/// <summary>Tells people about the scheduler: limit warnings (with a Keep-running button where the channel has buttons) and drift.</summary>
public interface IOffHoursAlerts
{
    Task WarnAsync(LimitWarning warning, IReadOnlyList<Guid> recipients, CancellationToken cancellationToken = default);

    Task DriftAsync(IReadOnlyList<DriftItem> items, Guid recipient, CancellationToken cancellationToken = default);
}

/// <summary>The alerts as plain notifications (web inbox, and Telegram without buttons).</summary>
public sealed class NotifierOffHoursAlerts(INotifier notifier) : IOffHoursAlerts
{
    public Task WarnAsync(LimitWarning warning, IReadOnlyList<Guid> recipients, CancellationToken cancellationToken = default) =>
        notifier.NotifyAsync(new Notification(NotificationKind.Alert, "Stops soon: running-time limit", Text(warning), recipients), cancellationToken);

    public Task DriftAsync(IReadOnlyList<DriftItem> items, Guid recipient, CancellationToken cancellationToken = default) =>
        notifier.NotifyAsync(new Notification(NotificationKind.Alert, $"Off-hours drift: {items.Count} resource(s)", DriftText(items), [recipient]), cancellationToken);

    public static string Text(LimitWarning w) =>
        $"{w.Subject.Name} ({w.Subject.Resource.Ref}) stops at {w.StopsAt:yyyy-MM-dd HH:mm} UTC: {w.Limit}. Keep it running on the Off-hours page or with the Telegram button.";

    public static string DriftText(IReadOnlyList<DriftItem> items) =>
        string.Join("\n", items.Take(20).Select(d => $"{d.Subject.Name} ({d.Subject.Resource.Ref}), schedule {d.ScheduleName}: {d.Description}."))
        + (items.Count > 20 ? $"\n… and {items.Count - 20} more on the Off-hours page." : string.Empty);
}
