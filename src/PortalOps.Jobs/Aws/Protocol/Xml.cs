using System.Globalization;
using System.Xml.Linq;

namespace PortalOps.Jobs.Aws.Protocol;

/// <summary>Reads AWS Query XML by local name (namespaces differ per service and are of no interest).</summary>
public static class Xml
{
    public static XElement? El(this XElement? e, string name)
    {
        if (e is null)
        {
            return null;
        }

        foreach (var c in e.Elements())
        {
            if (c.Name.LocalName == name)
            {
                return c;
            }
        }

        return null;
    }

    public static string? Str(this XElement? e, string name) => e.El(name)?.Value;

    public static int? Int(this XElement? e, string name) =>
        int.TryParse(e.Str(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    public static double? Dbl(this XElement? e, string name) =>
        double.TryParse(e.Str(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    public static bool? Bool(this XElement? e, string name) =>
        e.Str(name) is { } s ? string.Equals(s, "true", StringComparison.OrdinalIgnoreCase) : null;

    public static DateTimeOffset? Date(this XElement? e, string name) => ParseDate(e.Str(name));

    public static DateTimeOffset? ParseDate(string? s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var v) ? v : null;

    /// <summary>The <c>member</c> children of a list element (empty when the list is absent).</summary>
    public static IEnumerable<XElement> Members(this XElement? e, string name)
    {
        var list = e.El(name);
        return list is null ? [] : list.Elements().Where(m => m.Name.LocalName == "member");
    }

    public static IReadOnlyList<string> Strings(this XElement? e, string name) => e.Members(name).Select(m => m.Value).ToList();
}
