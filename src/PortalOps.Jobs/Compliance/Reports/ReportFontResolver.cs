using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>
/// PDFsharp's font source for reports: DejaVu Sans Condensed (regular and bold), shipped inside this assembly, so a report reads
/// the same on any machine and needs no fonts installed. Every family a report asks for resolves to it; italic is simulated.
/// PDFsharp keeps one resolver per process, so <see cref="Register"/> sets this one once.
/// </summary>
public sealed class ReportFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans Condensed";

    private const string RegularFace = "DejaVuSansCondensed";
    private const string BoldFace = "DejaVuSansCondensed-Bold";

    private static readonly Lock Gate = new();
    private static readonly ReportFontResolver Instance = new();
    private readonly ConcurrentDictionary<string, byte[]> _faces = new(StringComparer.Ordinal);

    private ReportFontResolver()
    {
    }

    /// <summary>Makes this the process's font resolver (idempotent); refuses when some other resolver was set first.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            switch (GlobalFontSettings.FontResolver)
            {
                case null:
                    GlobalFontSettings.FontResolver = Instance;
                    break;
                case ReportFontResolver:
                    break;
                default:
                    throw new InvalidOperationException("Another PDFsharp font resolver is set; the compliance report needs its embedded fonts.");
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? BoldFace : RegularFace, mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[]? GetFont(string faceName) => _faces.GetOrAdd(faceName, Load);

    private static byte[] Load(string faceName)
    {
        var name = $"PortalOps.Reports.{faceName}.ttf";
        using var stream = typeof(ReportFontResolver).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The font {name} is not embedded in {typeof(ReportFontResolver).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
