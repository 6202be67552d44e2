using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Alerts;
using PortalOps.Jobs.Telegram.Approvals;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Buttons;
using PortalOps.Jobs.Telegram.Outbox;

namespace PortalOps.Jobs.Telegram.Notifications;

/// <summary>
/// Delivers notifications to linked Telegram accounts, as each person's preferences allow: approval requests come with
/// Approve / Deny buttons; once a request is decided, expires or is carried out, every copy in every approver's chat is
/// edited to say so, whichever channel decided. Never throws; the web inbox gets everything regardless.
/// </summary>
public sealed partial class TelegramNotifier(
    IOptions<TelegramOptions> options,
    IUserDirectory directory,
    IPreferenceStore preferences,
    ApprovalMessages approvalMessages,
    IApprovalStore approvals,
    ButtonStore buttons,
    TelegramOutbox outbox,
    TimeProvider clock,
    ILogger<TelegramNotifier> logger,
    AlertTelegram? alertTelegram = null,
    IAlertStore? alerts = null) : INotifier
{
    public async Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            var request = notification.ApprovalId is { } id ? await approvals.FindAsync(id, cancellationToken) : null;
            if (request is not null && notification.Kind is NotificationKind.ApprovalDecided or NotificationKind.ActionCompleted)
            {
                await EditApprovalMessagesAsync(request, cancellationToken);
                if (alertTelegram is not null)
                {
                    await alertTelegram.RefreshForApprovalAsync(request.Id, cancellationToken);
                }
            }

            var alert = notification.Kind == NotificationKind.Alert && notification.AlertId is { } alertId && alerts is not null
                ? await alerts.FindAsync(alertId, cancellationToken)
                : null;

            var recipients = notification.Recipients.Where(r => r != Guid.Empty).Distinct().ToList();
            if (recipients.Count == 0)
            {
                return;
            }

            var links = await directory.FindLinksAsync(recipients, cancellationToken);
            var wanted = await preferences.GetManyAsync(links.Select(l => l.UserId).ToList(), cancellationToken);
            var now = clock.GetUtcNow();
            foreach (var link in links)
            {
                var preference = wanted.GetValueOrDefault(link.UserId) ?? NotificationPreferences.Default;
                if (!preference.Wants(notification.Kind) || preference.IsQuietAt(now))
                {
                    continue;
                }

                // A private chat's id is the user's id.
                var chatId = link.ChatUserId;
                if (alert is not null && alertTelegram is not null)
                {
                    // One message per alert and chat, edited as the alert changes, with its buttons.
                    await alertTelegram.ShowAsync(alert, chatId, link.ChatUserId, cancellationToken);
                }
                else if (notification.Kind == NotificationKind.ApprovalRequested && request is { Status: ApprovalStatus.Pending })
                {
                    var keyboard = await new Keyboard(buttons, chatId, link.ChatUserId, request.ExpiresAt, request.Id)
                        .Row()
                        .Button("✅ Approve", ButtonKind.Approve)
                        .Button("❌ Deny", ButtonKind.Deny)
                        .BuildAsync(cancellationToken);
                    outbox.Enqueue(new OutboundMessage(chatId, Views.Approval(request), keyboard, ApprovalId: request.Id));
                }
                else
                {
                    outbox.Enqueue(new OutboundMessage(chatId, $"{TelegramHtml.Bold(notification.Title)}\n{TelegramHtml.Escape(notification.Body)}"));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, notification.Kind);
        }
    }

    private async Task EditApprovalMessagesAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var text = Views.Approval(request);
        foreach (var (chatId, messageId) in await approvalMessages.ListAsync(request.Id, cancellationToken))
        {
            outbox.Enqueue(new OutboundMessage(chatId, text, EditMessageId: messageId));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} notification could not be passed to Telegram.")]
    private static partial void LogFailed(ILogger logger, Exception exception, NotificationKind kind);
}

/// <summary>Hands each notification to every channel (web inbox first, then Telegram); one channel's failure never stops another.</summary>
public sealed class CompositeNotifier(IReadOnlyList<INotifier> notifiers) : INotifier
{
    public async Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        foreach (var notifier in notifiers)
        {
            try
            {
                await notifier.NotifyAsync(notification, cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Notifiers promise not to throw; this keeps the promise for them.
            }
        }
    }
}
