using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Jobs.Compliance.Reports;
using UglyToad.PdfPig;

namespace PortalOps.Jobs.Tests.Compliance.Reports;

/// <summary>The PDF read back with PdfPig: what a reader of the file finds in it.</summary>
public sealed partial class ComplianceReportPdfTests
{
    private static byte[] Write(ComplianceReport report)
    {
        using var stream = new MemoryStream();
        new ComplianceReportPdf().Write(report, stream);
        return stream.ToArray();
    }

    private static List<string> PageTexts(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => p.Text).ToList();
    }

    [Fact]
    public void Write_Report_EveryOpenFindingIdAndResourceAppears()
    {
        var report = ReportSamples.Report(400);

        var text = string.Concat(PageTexts(Write(report)));

        Assert.All(report.OpenFindings, f =>
        {
            Assert.Contains(f.Id.ToString("D"), text, StringComparison.Ordinal);
            Assert.Contains(f.ResourceId, text, StringComparison.Ordinal);
        });
        Assert.Contains("Compliance report", text, StringComparison.Ordinal);
        Assert.Contains("74.2%", text, StringComparison.Ordinal);
        Assert.Contains("Intact as of", text, StringComparison.Ordinal);
        Assert.Contains("Vendor agent needs IMDSv1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Report_NumbersEveryPageOutOfTheTotal()
    {
        var pages = PageTexts(Write(ReportSamples.Report(400)));

        Assert.True(pages.Count >= 8, $"{pages.Count} pages");
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages.Count}", pages[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Write_LongFindingsTable_RepeatsItsHeaderOnEveryPageItRunsOnto()
    {
        var report = ReportSamples.Report(400);
        var pages = PageTexts(Write(report));

        // Every page that lists findings starts its table with the header; a table that runs on says so in its caption.
        var withFindings = pages.Where(p => report.OpenFindings.Any(f => p.Contains(f.Id.ToString("D"), StringComparison.Ordinal))).ToList();
        Assert.True(withFindings.Count >= 5, $"{withFindings.Count} pages of findings");
        Assert.All(withFindings, p => Assert.Contains("FindingResourceAccount/regionOwnerFirst seenEvidence", p, StringComparison.Ordinal));
        Assert.True(withFindings.Count(p => p.Contains("(continued)", StringComparison.Ordinal)) >= withFindings.Count - ReportSamples.PolicyIds.Length);
    }

    [Fact]
    public void Write_Report_EmbedsItsFontsAndUsesNoOther()
    {
        var pdf = Write(ReportSamples.Report(50));

        using var document = PdfDocument.Open(pdf);
        var fonts = document.GetPages().SelectMany(p => p.Letters).Select(l => l.FontName).Distinct().ToList();
        Assert.NotEmpty(fonts);
        // A six-letter tag and "+" name an embedded subset (ISO 32000-1, 9.6.4).
        Assert.All(fonts, f => Assert.Matches(@"^[A-Z]{6}\+DejaVu Sans Condensed", f));
        var raw = Encoding.Latin1.GetString(pdf);
        var descriptors = FontDescriptor().Count(raw);
        Assert.True(descriptors >= 2, $"{descriptors} font descriptors");
        Assert.Equal(descriptors, FontFile().Count(raw));
    }

    [Fact]
    public void Write_LongEvidence_IsWrappedAndCutWithAnEllipsis()
    {
        var evidence = string.Join(' ', Enumerable.Repeat("port 22 open to 0.0.0.0/0 and ::/0 on rule sgr-0123456789abcdef", 20)) + " TAIL-NEVER-SHOWN";

        var text = string.Concat(PageTexts(Write(ReportSamples.Report(3, longEvidence: evidence))));

        Assert.Contains("port 22 open to 0.0.0.0/0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TAIL-NEVER-SHOWN", text, StringComparison.Ordinal);
        Assert.Contains("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TenThousandFindings_IsAValidPdfThatOpensWithEveryId()
    {
        var report = ReportSamples.Report(10_000);
        var watch = Stopwatch.StartNew();

        var pdf = Write(report);
        watch.Stop();

        using var document = PdfDocument.Open(pdf);
        Assert.True(document.NumberOfPages > 200, $"{document.NumberOfPages} pages");
        var text = new StringBuilder();
        foreach (var page in document.GetPages())
        {
            text.Append(page.Text);
        }

        var all = text.ToString();
        Assert.All(report.OpenFindings, f => Assert.Contains(f.Id.ToString("D"), all, StringComparison.Ordinal));
        Assert.Contains($"Page {document.NumberOfPages} of {document.NumberOfPages}", all, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"{watch.Elapsed.TotalSeconds:0.0} s");
    }

    [GeneratedRegex(@"/Type\s*/FontDescriptor")]
    private static partial Regex FontDescriptor();

    [GeneratedRegex(@"/FontFile2\s")]
    private static partial Regex FontFile();
}
