using System.Text;
using PortalOps.Domain.Notifications;

namespace PortalOps.Domain.Monitoring;

/// <summary>One thing to say about one alert, to some people.</summary>
public sealed record AlertNotice(Alert Alert, NoticeKind Kind, IReadOnlyList<Guid> Recipients, Guid? ApprovalId = null);

/// <summary>
/// Turns one evaluation's notices into notifications: one per alert (channels update their earlier message for the same alert),
/// except that a person who would get more than the storm limit at once gets a single summary instead.
/// </summary>
public static class AlertDigest
{
    public static IReadOnlyList<Notification> Plan(IReadOnlyList<AlertNotice> notices, int stormLimit)
    {
        var perPerson = notices.SelectMany(n => n.Recipients.Distinct().Select(r => (Recipient: r, Notice: n))).GroupBy(x => x.Recipient).ToList();
        var flooded = perPerson.Where(g => g.Count() > stormLimit).Select(g => g.Key).ToHashSet();
        var result = new List<Notification>();
        foreach (var notice in notices)
        {
            var recipients = notice.Recipients.Distinct().Where(r => !flooded.Contains(r)).ToList();
            if (recipients.Count > 0)
            {
                result.Add(new Notification(NotificationKind.Alert, TitleOf(notice), BodyOf(notice.Alert), recipients, notice.ApprovalId) { AlertId = notice.Alert.Id });
            }
        }

        // People in a storm get one summary; people who share the same set of notices share one notification.
        foreach (var group in perPerson.Where(g => flooded.Contains(g.Key)).GroupBy(g => string.Join(",", g.Select(x => x.Notice.Alert.Id).Order())))
        {
            var batch = group.First().Select(x => x.Notice).ToList();
            result.Add(new Notification(NotificationKind.Alert, StormTitle(batch), StormBody(batch), group.Select(g => g.Key).ToList()));
        }

        return result;
    }

    public static string TitleOf(AlertNotice notice) => notice.Kind switch
    {
        NoticeKind.Opened => $"🔴 {notice.Alert.Title}",
        NoticeKind.Updated => $"🔴 {notice.Alert.Title} (updated)",
        NoticeKind.Resolved => $"✅ Resolved: {notice.Alert.RuleName}",
    };

    public static string BodyOf(Alert alert)
    {
        var text = new StringBuilder().Append(alert.Description).Append('\n');
        if (alert.IsOpen)
        {
            foreach (var m in alert.Members.Take(10))
            {
                text.Append("• ").Append(string.IsNullOrEmpty(m.Name) ? m.Instance.InstanceId : $"{m.Name} ({m.Instance.InstanceId})").Append(": ").Append(m.Detail).Append('\n');
            }

            if (alert.Members.Count > 10)
            {
                text.Append("• and ").Append(alert.Members.Count - 10).Append(" more\n");
            }
        }
        else
        {
            text.Append("Resolved ").Append(alert.ResolvedAt?.ToString("yyyy-MM-dd HH:mm") ?? string.Empty).Append(" UTC by ").Append(alert.ResolvedByName)
                .Append(" after ").Append(Math.Max(1, (int)((alert.ResolvedAt ?? alert.OpenedAt) - alert.OpenedAt).TotalMinutes)).Append(" min; at most ")
                .Append(alert.PeakMembers).Append(" instance(s).\n");
        }

        return text.Append("Alert: /monitoring/alerts/").Append(alert.Id).ToString();
    }

    private static string StormTitle(IReadOnlyList<AlertNotice> batch) =>
        $"🔴 {batch.Count(n => n.Kind != NoticeKind.Resolved)} alerts firing, {batch.Count(n => n.Kind == NoticeKind.Resolved)} resolved";

    private static string StormBody(IReadOnlyList<AlertNotice> batch)
    {
        var text = new StringBuilder("Too many alerts at once to send one by one:\n");
        foreach (var n in batch.OrderByDescending(n => n.Alert.Severity).Take(15))
        {
            text.Append("• ").Append(n.Kind == NoticeKind.Resolved ? "resolved: " : string.Empty).Append(n.Alert.Title).Append('\n');
        }

        if (batch.Count > 15)
        {
            text.Append("• and ").Append(batch.Count - 15).Append(" more\n");
        }

        return text.Append("All alerts: /monitoring/alerts").ToString();
    }
}
