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
            db.Inbox.AddRange(recipients.Select(userId => new InboxRow
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                Kind = notification.Kind,
                Title = notification.Title,
                Body = notification.Body,
                ApprovalId = notification.ApprovalId,
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
