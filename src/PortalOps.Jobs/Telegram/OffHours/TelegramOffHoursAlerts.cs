using System.Globalization;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram.Buttons;
using PortalOps.Jobs.Telegram.Notifications;
using PortalOps.Jobs.Telegram.Outbox;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.OffHours;

/// <summary>
/// The scheduler's alerts with Telegram on: each goes to the web inbox, and to every linked recipient who wants alerts; a running-time
/// warning carries a Keep-running button (an override until the limit plus <see cref="LimitWarning.KeepFor"/>, through the pipeline
/// on the presser's own rights).
/// </summary>
internal sealed class TelegramOffHoursAlerts(
    InboxNotifier inbox,
    IUserDirectory directory,
    IPreferenceStore preferences,
    ButtonStore buttons,
    TelegramOutbox outbox) : IOffHoursAlerts
{
    public const string KeepRunningText = "⏱ Keep running";

    public async Task WarnAsync(LimitWarning warning, IReadOnlyList<Guid> recipients, CancellationToken cancellationToken = default)
    {
        await inbox.NotifyAsync(new Notification(NotificationKind.Alert, "Stops soon: running-time limit", NotifierOffHoursAlerts.Text(warning), recipients), cancellationToken);
        var until = warning.StopsAt + warning.KeepFor;
        var html = $"⏰ {Bold($"{warning.Subject.Name} stops at {warning.StopsAt:HH:mm} UTC")}\n"
            + Escape($"{warning.Subject.Resource.Ref}: {warning.Limit}. Keep running until {until:yyyy-MM-dd HH:mm} UTC?");
        foreach (var chatUserId in await WantingAsync(recipients, cancellationToken))
        {
            var keyboard = await new Keyboard(buttons, chatUserId, chatUserId, warning.StopsAt.AddHours(1))
                .Row()
                .Button($"{KeepRunningText} {warning.KeepFor.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} h", ButtonKind.KeepRunning,
                    new ButtonArguments(Instance: warning.Subject.Resource.Key, Filter: until.ToString("O", CultureInfo.InvariantCulture)))
                .BuildAsync(cancellationToken);
            outbox.Enqueue(new OutboundMessage(chatUserId, html, keyboard));
        }
    }

    public async Task DriftAsync(IReadOnlyList<DriftItem> items, Guid recipient, CancellationToken cancellationToken = default)
    {
        var text = NotifierOffHoursAlerts.DriftText(items);
        await inbox.NotifyAsync(new Notification(NotificationKind.Alert, $"Off-hours drift: {items.Count} resource(s)", text, [recipient]), cancellationToken);
        foreach (var chatUserId in await WantingAsync([recipient], cancellationToken))
        {
            outbox.Enqueue(new OutboundMessage(chatUserId, $"🕒 {Bold($"Off-hours drift: {items.Count} resource(s)")}\n{Escape(text)}"));
        }
    }

    private async Task<IReadOnlyList<long>> WantingAsync(IReadOnlyList<Guid> recipients, CancellationToken cancellationToken)
    {
        var links = await directory.FindLinksAsync(recipients.Where(r => r != Guid.Empty).Distinct().ToList(), cancellationToken);
        var wanted = await preferences.GetManyAsync(links.Select(l => l.UserId).ToList(), cancellationToken);
        return links.Where(l => (wanted.GetValueOrDefault(l.UserId) ?? NotificationPreferences.Default).Wants(NotificationKind.Alert)).Select(l => l.ChatUserId).ToList();
    }
}
