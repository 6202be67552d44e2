using System.Text.RegularExpressions;
using MudBlazor;
using PortalOps.Domain.Notifications;

namespace PortalOps.Web.Components.Pages.Inbox;

/// <summary>One piece of an inbox line: plain text, or a link to a portal page.</summary>
public sealed record InboxSegment(string Text, string? Href);

/// <summary>
/// Shows a notification written for every channel as a web page should: no chat markup or status emoji (the page has icons),
/// bullets as list lines, portal paths ("/monitoring/alerts/…") as links, and failed outcomes marked as failures.
/// </summary>
public static partial class InboxText
{
    /// <summary>The title without the leading status emoji that chat messages carry.</summary>
    public static string Title(string title) => LeadingEmoji().Replace(StripMarkup(title), string.Empty).Trim();

    /// <summary>The body as lines of text and links; "• " bullets lose their bullet (the page lists them).</summary>
    public static IReadOnlyList<IReadOnlyList<InboxSegment>> Lines(string body) =>
        StripMarkup(body).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => Segments(line.StartsWith("• ", StringComparison.Ordinal) ? line[2..] : line))
            .ToList();

    /// <summary>Whether the item reports something that did not work: a failed or partly failed action, a denied or expired request.</summary>
    public static Outcome OutcomeOf(InboxItem item)
    {
        var title = item.Title;
        return title.Contains("failed", StringComparison.OrdinalIgnoreCase) ? Outcome.Failed
            : title.Contains("partly", StringComparison.OrdinalIgnoreCase) ? Outcome.Partial
            : title.Contains("denied", StringComparison.OrdinalIgnoreCase) || title.Contains("expired", StringComparison.OrdinalIgnoreCase) ? Outcome.Refused
            : item.Kind == NotificationKind.Alert && title.Contains("Resolved", StringComparison.Ordinal) ? Outcome.Succeeded
            : item.Kind == NotificationKind.Alert ? Outcome.Alert
            : Outcome.Neutral;
    }

    public static string IconOf(InboxItem item) => OutcomeOf(item) switch
    {
        Outcome.Failed => Icons.Material.Filled.Error,
        Outcome.Partial => Icons.Material.Filled.ReportProblem,
        Outcome.Refused => Icons.Material.Filled.Block,
        Outcome.Succeeded => Icons.Material.Filled.CheckCircle,
        Outcome.Alert => Icons.Material.Filled.Warning,
        Outcome.Neutral => item.Kind switch
        {
            NotificationKind.ApprovalRequested => Icons.Material.Filled.FactCheck,
            NotificationKind.ApprovalDecided => Icons.Material.Filled.Gavel,
            NotificationKind.ActionCompleted => Icons.Material.Filled.TaskAlt,
            NotificationKind.Alert => Icons.Material.Filled.Warning,
        },
    };

    public static Color ColorOf(InboxItem item) => OutcomeOf(item) switch
    {
        Outcome.Failed or Outcome.Alert => Color.Error,
        Outcome.Partial or Outcome.Refused => Color.Warning,
        Outcome.Succeeded => Color.Success,
        Outcome.Neutral => item.IsRead ? Color.Default : Color.Primary,
    };

    public enum Outcome
    {
        Neutral,
        Succeeded,
        Failed,
        Partial,
        Refused,
        Alert,
    }

    private static IReadOnlyList<InboxSegment> Segments(string line)
    {
        var segments = new List<InboxSegment>();
        var at = 0;
        foreach (Match path in PortalPath().Matches(line))
        {
            var before = line[at..path.Index];

            // "Alert: /monitoring/alerts/…" reads as a link named "Alert"; a bare path gets a name of its own.
            var label = LinkLabel().Match(before);
            if (label.Success)
            {
                Add(before[..label.Index]);
                segments.Add(new InboxSegment($"Open {label.Groups[1].Value.Trim().ToLowerInvariant()}", path.Value));
            }
            else
            {
                Add(before);
                segments.Add(new InboxSegment("Open", path.Value));
            }

            at = path.Index + path.Length;
        }

        Add(line[at..]);
        return segments;

        void Add(string text)
        {
            if (text.Length > 0)
            {
                segments.Add(new InboxSegment(text, null));
            }
        }
    }

    private static string StripMarkup(string text) => ChatMarkup().Replace(text, string.Empty);

    [GeneratedRegex(@"^[\p{So}\p{Cs}\uFE0F\u200D]+\s*")]
    private static partial Regex LeadingEmoji();

    [GeneratedRegex(@"</?(b|i|u|s|code|pre|a|tg-spoiler)(\s[^>]*)?>", RegexOptions.IgnoreCase)]
    private static partial Regex ChatMarkup();

    [GeneratedRegex(@"(?<=^|\s)/(monitoring|approvals|instances|audit|inbox|profile)(/[\w\-]+)*")]
    private static partial Regex PortalPath();

    [GeneratedRegex(@"([\p{L} ]+):\s*$")]
    private static partial Regex LinkLabel();
}
