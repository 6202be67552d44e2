using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Notifications;

/// <summary>Which notifications a person gets in Telegram, and the hours (UTC) when they get none. The web inbox always gets everything.</summary>
public sealed record NotificationPreferences(
    bool ApprovalRequests = true,
    bool Decisions = true,
    bool ActionResults = true,
    bool Alerts = true,
    int? QuietFromHour = null,
    int? QuietToHour = null)
{
    public static NotificationPreferences Default { get; } = new();

    public bool HasQuietHours => QuietFromHour is not null && QuietToHour is not null && QuietFromHour != QuietToHour;

    public bool Wants(NotificationKind kind) => kind switch
    {
        NotificationKind.ApprovalRequested => ApprovalRequests,
        NotificationKind.ApprovalDecided => Decisions,
        NotificationKind.ActionCompleted => ActionResults,
        NotificationKind.Alert => Alerts,
    };

    /// <summary>True inside quiet hours; a range may wrap midnight (22 → 7).</summary>
    public bool IsQuietAt(DateTimeOffset at)
    {
        if (!HasQuietHours)
        {
            return false;
        }

        var hour = at.UtcDateTime.Hour;
        var from = QuietFromHour!.Value;
        var to = QuietToHour!.Value;
        return from < to ? hour >= from && hour < to : hour >= from || hour < to;
    }

    /// <summary>A problem with the values, or null.</summary>
    public string? Problem() =>
        (QuietFromHour is null) != (QuietToHour is null) ? "Give both ends of the quiet hours, or neither."
        : QuietFromHour is < 0 or > 23 || QuietToHour is < 0 or > 23 ? "Quiet hours are whole hours from 0 to 23 (UTC)."
        : null;
}

/// <summary>Each person's Telegram notification preferences.</summary>
public interface IPreferenceStore
{
    Task<NotificationPreferences> GetAsync(Guid userId, CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<Guid, NotificationPreferences>> GetManyAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default);

    /// <summary>Saves; throws <see cref="DomainException"/> for values that do not make sense.</summary>
    Task SaveAsync(Guid userId, NotificationPreferences preferences, CancellationToken cancellationToken = default);
}

/// <summary>Each person's Telegram notification preferences (table TelegramPreferences).</summary>
public sealed class PreferenceStore(IDbContextFactory<PortalDbContext> contexts) : IPreferenceStore
{
    public async Task<NotificationPreferences> GetAsync(Guid userId, CancellationToken cancellationToken = default) =>
        (await GetManyAsync([userId], cancellationToken)).GetValueOrDefault(userId) ?? NotificationPreferences.Default;

    public async Task<IReadOnlyDictionary<Guid, NotificationPreferences>> GetManyAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default)
    {
        var ids = userIds.Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TelegramPreferences.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToListAsync(cancellationToken);
        return rows.ToDictionary(
            r => r.UserId,
            r => new NotificationPreferences(r.ApprovalRequests, r.Decisions, r.ActionResults, r.Alerts, r.QuietFromHour, r.QuietToHour));
    }

    public async Task SaveAsync(Guid userId, NotificationPreferences preferences, CancellationToken cancellationToken = default)
    {
        if (preferences.Problem() is { } problem)
        {
            throw new DomainException(problem);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.TelegramPreferences.SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (row is null)
        {
            row = new TelegramPreferenceRow { UserId = userId };
            db.TelegramPreferences.Add(row);
        }

        row.ApprovalRequests = preferences.ApprovalRequests;
        row.Decisions = preferences.Decisions;
        row.ActionResults = preferences.ActionResults;
        row.Alerts = preferences.Alerts;
        row.QuietFromHour = preferences.HasQuietHours ? preferences.QuietFromHour : null;
        row.QuietToHour = preferences.HasQuietHours ? preferences.QuietToHour : null;
        await db.SaveChangesAsync(cancellationToken);
    }
}
