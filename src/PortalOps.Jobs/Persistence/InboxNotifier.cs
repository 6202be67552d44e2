using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortalOps.Domain.Notifications;

namespace PortalOps.Jobs.Persistence;

/// <summary>Delivers notifications to the web inbox: one row per recipient. Never throws for a failed delivery.</summary>
public sealed partial class InboxNotifier(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, ILogger<InboxNotifier>? logger = null) : INotifier
{
    private readonly ILogger _logger = logger ?? NullLogger<InboxNotifier>.Instance;

    public async Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        var recipients = notification.Recipients.Where(r => r != Guid.Empty).Distinct().ToList();
        if (recipients.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (notification.AlertId is { } alertId)
            {
                // One row per alert and person, brought up to date (and unread again) instead of a new row per change.
                var existing = await db.Inbox.Where(n => n.AlertId == alertId && recipients.Contains(n.UserId)).ToListAsync(cancellationToken);
                foreach (var row in existing)
                {
                    (row.Title, row.Body, row.ApprovalId, row.CreatedAt, row.ReadAt) = (notification.Title, notification.Body, notification.ApprovalId ?? row.ApprovalId, now, null);
                }

                recipients = recipients.Except(existing.Select(e => e.UserId)).ToList();
            }

            db.Inbox.AddRange(recipients.Select(userId => new InboxRow
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                Kind = notification.Kind,
                Title = notification.Title,
                Body = notification.Body,
                ApprovalId = notification.ApprovalId,
                AlertId = notification.AlertId,
                CreatedAt = now,
            }));
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeliveryFailed(_logger, ex, notification.Kind, recipients.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not place a {Kind} notification in {Count} web inbox(es).")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, NotificationKind kind, int count);
}
