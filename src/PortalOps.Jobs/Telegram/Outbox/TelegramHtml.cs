using System.Text;

namespace PortalOps.Jobs.Telegram.Outbox;

/// <summary>Messages go out in Telegram's HTML parse mode: every piece of text that is not our own markup is escaped.</summary>
public static class TelegramHtml
{
    /// <summary>Telegram's limit for one message's text.</summary>
    public const int MaxLength = 4096;

    /// <summary>Escapes &amp;, &lt; and &gt; (all that HTML parse mode needs outside attributes).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => null,
            } ?? c.ToString());
        }

        return builder.ToString();
    }

    public static string Bold(string? text) => $"<b>{Escape(text)}</b>";

    public static string Code(string? text) => $"<code>{Escape(text)}</code>";

    /// <summary>
    /// Splits a message into parts of at most <paramref name="limit"/> characters: at line breaks where it can, otherwise
    /// never inside an entity (&amp;amp;) or a tag. Our own markup never spans lines, so each part stays valid HTML.
    /// </summary>
    public static IReadOnlyList<string> Split(string html, int limit = MaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 16);
        if (html.Length <= limit)
        {
            return [html];
        }

        var parts = new List<string>();
        var rest = html.AsSpan();
        while (rest.Length > limit)
        {
            var cut = rest[..limit].LastIndexOf('\n');
            if (cut <= 0)
            {
                cut = SafeCut(rest, limit);
            }

            parts.Add(rest[..cut].ToString());
            rest = rest[cut..];
            if (rest.Length > 0 && rest[0] == '\n')
            {
                rest = rest[1..];
            }
        }

        if (rest.Length > 0)
        {
            parts.Add(rest.ToString());
        }

        return parts;
    }

    /// <summary>Cuts one over-long text to fit (edits cannot be split), marking the cut.</summary>
    public static string Truncate(string html, int limit = MaxLength)
    {
        if (html.Length <= limit)
        {
            return html;
        }

        var cut = html.AsSpan(0, limit - 1).LastIndexOf('\n');
        cut = cut > 0 ? cut : SafeCut(html, limit - 1);
        return html[..cut] + "…";
    }

    // The last position at or before the limit that is not inside "&...;" or "<...>".
    private static int SafeCut(ReadOnlySpan<char> text, int limit)
    {
        var cut = limit;
        var amp = text[..cut].LastIndexOf('&');
        if (amp >= 0 && text[amp..cut].IndexOf(';') < 0 && cut - amp <= 10)
        {
            cut = amp;
        }

        var open = text[..cut].LastIndexOf('<');
        if (open >= 0 && text[open..cut].IndexOf('>') < 0)
        {
            cut = open;
        }

        return cut > 0 ? cut : limit;
    }
}
