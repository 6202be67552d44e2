using System.Text;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram.Buttons;
using PortalOps.Jobs.Telegram.Outbox;
using Telegram.Bot.Types.ReplyMarkups;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Alerts;

/// <summary>Where each alert was shown in Telegram (chat and message id): one message per alert and chat, edited as the alert changes.</summary>
public sealed class AlertMessages(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task AddAsync(Guid alertId, long chatId, int messageId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TelegramAlertMessages.Add(new TelegramAlertMessageRow { Id = Guid.CreateVersion7(clock.GetUtcNow()), AlertId = alertId, ChatId = chatId, MessageId = messageId, SentAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<(long ChatId, int MessageId)>> ListAsync(Guid alertId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TelegramAlertMessages.AsNoTracking().Where(m => m.AlertId == alertId).OrderBy(m => m.SentAt).Select(m => new { m.ChatId, m.MessageId }).ToListAsync(cancellationToken);
        return rows.Select(r => (r.ChatId, r.MessageId)).DistinctBy(r => r.ChatId).ToList();
    }
}

/// <summary>
/// An alert in Telegram: its text, with Acknowledge / Snooze while it is open and Approve / Deny for its rule's offered corrective
/// action while that waits. Sent once per chat, then edited (after a change, a press, a decision or the resolution).
/// </summary>
public sealed class AlertTelegram(AlertMessages messages, IAlertStore alerts, IApprovalStore approvals, ButtonStore buttons, TelegramOutbox outbox, TimeProvider clock)
{
    /// <summary>Sends the alert to this person's chat, or edits the copy already there.</summary>
    public async Task ShowAsync(Alert alert, long chatId, long forTelegramUserId, CancellationToken cancellationToken = default)
    {
        var existing = (await messages.ListAsync(alert.Id, cancellationToken)).FirstOrDefault(m => m.ChatId == chatId);
        var (html, keyboard) = await RenderAsync(alert, chatId, forTelegramUserId, cancellationToken);
        outbox.Enqueue(existing.MessageId != 0
            ? new OutboundMessage(chatId, html, keyboard, EditMessageId: existing.MessageId)
            : new OutboundMessage(chatId, html, keyboard, AlertId: alert.Id));
    }

    /// <summary>
    /// Called by the outbox once a new alert message is sent: records where it is, then reads the alert again and edits the message
    /// if the alert (or its action) changed while the message was on its way — so no copy misses a change made in that moment.
    /// </summary>
    public async Task SentAsync(Guid alertId, long chatId, int messageId, string sentHtml, CancellationToken cancellationToken = default)
    {
        await messages.AddAsync(alertId, chatId, messageId, cancellationToken);
        if (await alerts.FindAsync(alertId, cancellationToken) is { } alert && await TextAsync(alert, cancellationToken) != sentHtml)
        {
            var (html, keyboard) = await RenderAsync(alert, chatId, chatId, cancellationToken);
            outbox.Enqueue(new OutboundMessage(chatId, html, keyboard, EditMessageId: messageId));
        }
    }

    /// <summary>Edits every copy of the alert to its current state.</summary>
    public async Task RefreshAsync(Guid alertId, CancellationToken cancellationToken = default)
    {
        if (await alerts.FindAsync(alertId, cancellationToken) is not { } alert)
        {
            return;
        }

        foreach (var (chatId, messageId) in await messages.ListAsync(alertId, cancellationToken))
        {
            // Alerts go to private chats, whose id is the person's Telegram id.
            var (html, keyboard) = await RenderAsync(alert, chatId, chatId, cancellationToken);
            outbox.Enqueue(new OutboundMessage(chatId, html, keyboard, EditMessageId: messageId));
        }
    }

    /// <summary>Edits the copies of the alert that offered this approval request, if any.</summary>
    public async Task RefreshForApprovalAsync(Guid approvalId, CancellationToken cancellationToken = default)
    {
        if (await alerts.FindByApprovalAsync(approvalId, cancellationToken) is { } alert)
        {
            await RefreshAsync(alert.Id, cancellationToken);
        }
    }

    private async Task<(string Html, InlineKeyboardMarkup? Keyboard)> RenderAsync(Alert alert, long chatId, long forTelegramUserId, CancellationToken cancellationToken)
    {
        var (html, requests) = await TextAndRequestsAsync(alert, cancellationToken);
        if (!alert.IsOpen)
        {
            return (html, null);
        }

        var pending = requests.LastOrDefault(r => r.Status == ApprovalStatus.Pending);
        var keyboard = new Keyboard(buttons, chatId, forTelegramUserId, clock.GetUtcNow().AddDays(1), pending?.Id)
            .Row()
            .Button("👀 Acknowledge", ButtonKind.AcknowledgeAlert, new ButtonArguments(Alert: alert.Id))
            .Button("😴 Snooze 1 h", ButtonKind.SnoozeAlert, new ButtonArguments(Alert: alert.Id));
        if (pending is not null)
        {
            keyboard.Row()
                .Button($"✅ Approve {pending.Kind.Verb.ToLowerInvariant()}", ButtonKind.Approve)
                .Button("❌ Deny", ButtonKind.Deny);
        }

        return (html, await keyboard.BuildAsync(cancellationToken));
    }

    private async Task<string> TextAsync(Alert alert, CancellationToken cancellationToken) => (await TextAndRequestsAsync(alert, cancellationToken)).Html;

    private async Task<(string Html, IReadOnlyList<ApprovalRequest> Requests)> TextAndRequestsAsync(Alert alert, CancellationToken cancellationToken)
    {
        var requests = new List<ApprovalRequest>();
        foreach (var id in alert.ApprovalIds)
        {
            if (await approvals.FindAsync(id, cancellationToken) is { } request)
            {
                requests.Add(request);
            }
        }

        var icon = alert.IsOpen ? alert.Severity == Severity.Critical ? "🔴" : alert.Severity == Severity.Warning ? "🟠" : "🔵" : "✅";
        var text = new StringBuilder()
            .Append(icon).Append(' ').Append(Bold(alert.IsOpen ? alert.Title : $"Resolved: {alert.RuleName}")).Append('\n')
            .Append(Escape(AlertDigest.BodyOf(alert)));
        text.Append("\nStatus: ").Append(Bold(alert.Status.ToString()));
        if (alert.AcknowledgedByName is not null)
        {
            text.Append(" · acknowledged by ").Append(Bold(alert.AcknowledgedByName));
        }

        if (alert.IsOpen && alert.SnoozedUntil is { } until && until > clock.GetUtcNow())
        {
            text.Append(" · snoozed until ").Append(Escape(until.UtcDateTime.ToString("HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var request in requests)
        {
            text.Append("\nAction: ").Append(Escape(request.Summary)).Append(" — ").Append(Bold(request.Status.ToString().ToLowerInvariant()))
                .Append(request.DecidedByName is null ? string.Empty : $" by {Bold(request.DecidedByName)}");
        }

        return (text.ToString(), requests);
    }
}
