using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>
/// The compliance report as a PDF (PDFsharp, fonts embedded): a cover with scope, period, generation time and who asked, the
/// summary score, the audit chain's verification and patch compliance; bar charts of the score per account/region and per
/// policy; the policies table; the open findings, one table per policy with resource ids and owners; the exceptions with their
/// expiry. Every table repeats its header on each page, and every page says "Page n of m".
/// </summary>
public sealed class ComplianceReportPdf : IComplianceReportWriter
{
    /// <summary>The charts show the lowest scores up to this many bars; the tables list all of them.</summary>
    public const int MaxBars = 30;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public ComplianceReportPdf() => ReportFontResolver.Register();

    public string ContentType => "application/pdf";

    public static string FileName(ComplianceReport report) =>
        $"portalops-compliance-{report.GeneratedAt.UtcDateTime.ToString("yyyyMMdd-HHmm", Invariant)}.pdf";

    public void Write(ComplianceReport report, Stream output)
    {
        using var document = new PdfDocument();
        document.Info.Title = "PortalOps compliance report";
        document.Info.Subject = $"Scope: {report.Request.ScopeLabel}";
        document.Info.Author = report.Request.RequestedBy;
        document.Info.Creator = "PortalOps";
        document.Info.CreationDate = report.GeneratedAt.UtcDateTime;
        document.Options.CompressContentStreams = true;

        using (var flow = new PdfPageFlow(document))
        {
            Cover(flow, report);
            Scores(flow, report);
            Policies(flow, report);
            Findings(flow, report);
            Exceptions(flow, report);
            AuditAndPatching(flow, report);
            flow.Finish($"PortalOps compliance report · {report.Request.ScopeLabel} · generated {Time(report.GeneratedAt)} UTC for {report.Request.RequestedBy}");
        }

        document.Save(output, closeStream: false);
    }

    private static void Cover(PdfPageFlow flow, ComplianceReport report)
    {
        var r = report.Request;
        flow.NewPage();
        flow.Text("Compliance report", flow.H1, flow.Left, flow.Y);
        flow.Y += PdfPageFlow.LineHeight(flow.H1) + 8;
        flow.Field("Scope", r.ScopeLabel);
        flow.Field("Period", $"{Time(r.From)} – {Time(r.To)} UTC");
        flow.Field("Generated", $"{Time(report.GeneratedAt)} UTC");
        flow.Field("Generated for", r.RequestedBy);
        flow.Field("Filters", r.FiltersText is { Length: > 0 } filters ? filters : "none");
        flow.Field("Latest scan", report.LastScanAt is { } at ? $"{Time(at)} UTC" : "no scan in the period covers this scope");
        flow.Y += 10;

        if (report.Overall is { } overall)
        {
            var score = $"{overall.Percent.ToString("0.0", Invariant)}%";
            var big = PdfPageFlow.Font(40, bold: true);
            flow.Graphics.DrawString(score, big, new XSolidBrush(PdfPageFlow.ScoreColor(overall.Percent)), flow.Left, flow.Y, XStringFormats.TopLeft);
            var x = flow.Left + flow.Width(score, big) + 16;
            flow.Text("compliance score", flow.H3, x, flow.Y + 8);
            var change = report.ScoreAtPeriodStart is { } start ? $" · {(overall.Percent - start >= 0 ? "+" : string.Empty)}{(overall.Percent - start).ToString("0.0", Invariant)} points since the period began" : string.Empty;
            flow.Text($"{overall.Violating} of {overall.Evaluated} checks fail{change}", flow.Body, x, flow.Y + 26);
            flow.Y += PdfPageFlow.LineHeight(big) + 8;
        }
        else
        {
            flow.Paragraph("No compliance scan in the period covers this scope, so there is no score.", flow.Bold);
        }

        flow.Heading("Summary", flow.H2);
        flow.Field("Open findings", $"{report.OpenFindings.Count}: critical {report.OpenOf(Severity.Critical)}, high {report.OpenOf(Severity.High)}, medium {report.OpenOf(Severity.Medium)}, low {report.OpenOf(Severity.Low)}");
        flow.Field("Exceptions", report.Exceptions.Count == 0 ? "none in force" : $"{report.Exceptions.Count} in force over {report.Exceptions.Sum(e => e.FindingsCovered)} finding(s); {report.Exceptions.Count(e => e.ExpiresSoon)} expire within {ComplianceReportBuilder.ExpiresSoonWithin.TotalDays:0} days");
        flow.Field("Policies", $"{report.Policies.Count} in force; {report.Policies.Count(p => p.Open > 0)} with open findings");
        flow.Field("Audit chain", AuditText(report));
        flow.Field("Patch compliance", PatchText(report));
        flow.Y += 6;
        flow.Paragraph(
            "Scores are the share of checks that pass in the latest scan of the period: each policy checks every resource of its type in each account and region. " +
            "Findings are listed as they stand when the report was generated, within the reader's scope only.",
            flow.Small, XBrushes.DimGray);
    }

    private static void Scores(PdfPageFlow flow, ComplianceReport report)
    {
        if (report.Overall is null)
        {
            return;
        }

        flow.NewPage();
        flow.Heading("Scores", flow.H2);
        flow.BarChart(
            report.ByScope.Count > MaxBars ? $"Score per account/region (the {MaxBars} lowest of {report.ByScope.Count})" : "Score per account/region",
            report.ByScope.OrderBy(s => s.Percent).ThenBy(s => s.Group, StringComparer.Ordinal).Take(MaxBars)
                .Select(s => (s.Group, s.Percent, $"{s.Violating}/{s.Evaluated} fail")).ToList());
        flow.BarChart(
            report.ByPolicy.Count > MaxBars ? $"Score per policy (the {MaxBars} lowest of {report.ByPolicy.Count})" : "Score per policy",
            report.ByPolicy.Take(MaxBars).Select(s => (s.Group, s.Percent, $"{s.Violating}/{s.Evaluated} fail")).ToList());
        flow.Table(
            "Scores per account and region",
            [new PdfColumn("Account/region", 260), new PdfColumn("Score", 80, AlignRight: true), new PdfColumn("Failing checks", 100, AlignRight: true), new PdfColumn("Checks", 100, AlignRight: true)],
            report.ByScope.Select(s => (IReadOnlyList<string>)[s.Group, Percent(s.Percent), N(s.Violating), N(s.Evaluated)]),
            flow.Body, flow.Bold);
    }

    private static void Policies(PdfPageFlow flow, ComplianceReport report)
    {
        flow.Ensure(120);
        flow.Heading("Policies", flow.H2);
        flow.Table(
            "Policies in force",
            [
                new PdfColumn("Policy", 160), new PdfColumn("Title", 250, MaxLines: 2), new PdfColumn("Severity", 55), new PdfColumn("CIS", 50),
                new PdfColumn("Score", 55, AlignRight: true), new PdfColumn("Failing / checks", 80, AlignRight: true), new PdfColumn("Open", 55, AlignRight: true),
                new PdfColumn("Excepted", 65, AlignRight: true),
            ],
            report.Policies.Select(p => (IReadOnlyList<string>)
            [
                p.Id, p.Title, p.Severity.ToString(), p.Cis ?? "—", p.Score is { } s ? Percent(s.Percent) : "—",
                p.Score is { } t ? $"{N(t.Violating)} / {N(t.Evaluated)}" : "—", N(p.Open), N(p.Waived),
            ]),
            flow.Small, flow.SmallBold);
    }

    private static void Findings(PdfPageFlow flow, ComplianceReport report)
    {
        flow.NewPage();
        flow.Heading($"Open findings ({N(report.OpenFindings.Count)})", flow.H2);
        if (report.OpenFindings.Count == 0)
        {
            flow.Paragraph("No open findings within this scope and these filters.");
            return;
        }

        var titles = report.Policies.ToDictionary(p => p.Id, p => p.Title, StringComparer.Ordinal);
        PdfColumn[] columns =
        [
            new("Finding", 160), new("Resource", 145, MaxLines: 2), new("Account/region", 105), new("Owner", 80, MaxLines: 2),
            new("First seen", 55), new("Evidence", 225, MaxLines: 3),
        ];

        // The store lists them worst first, then by policy: one table per policy, in that order.
        foreach (var group in report.OpenFindings.GroupBy(f => f.PolicyId, StringComparer.Ordinal))
        {
            var first = group.First();
            var title = titles.TryGetValue(group.Key, out var t) ? $"{group.Key}: {t}" : group.Key;
            flow.Table(
                flow.Fit($"{title} · {first.Severity} · {group.Count()} open", flow.H3, flow.ContentWidth - 80),
                columns,
                group.Select(f => (IReadOnlyList<string>)
                [
                    f.Id.ToString("D"),
                    string.IsNullOrEmpty(f.ResourceName) || f.ResourceName == f.ResourceId ? $"{f.ResourceType.Name()} {f.ResourceId}" : $"{f.ResourceType.Name()} {f.ResourceId} {f.ResourceName}",
                    $"{f.AccountId}/{f.Region}",
                    f.Owner ?? "—",
                    f.FirstSeen.UtcDateTime.ToString("yyyy-MM-dd", Invariant),
                    f.Evidence,
                ]));
        }
    }

    private static void Exceptions(PdfPageFlow flow, ComplianceReport report)
    {
        flow.Ensure(120);
        flow.Heading("Exceptions in force", flow.H2);
        if (report.Exceptions.Count == 0)
        {
            flow.Paragraph("No exception in force covers a finding within this scope.");
            return;
        }

        flow.Table(
            $"Exceptions, soonest expiry first ({report.Exceptions.Count})",
            [
                new PdfColumn("Policy", 130), new PdfColumn("Covers", 150, MaxLines: 2), new PdfColumn("Findings", 45, AlignRight: true),
                new PdfColumn("Reason", 200, MaxLines: 3), new PdfColumn("Owner", 70), new PdfColumn("Granted by", 70), new PdfColumn("Expires (UTC)", 105),
            ],
            report.Exceptions.Select(e => (IReadOnlyList<string>)
            [
                e.Waiver.PolicyId, e.Covers, N(e.FindingsCovered), e.Waiver.Reason, e.Waiver.Owner, e.Waiver.GrantedBy,
                Time(e.Waiver.ExpiresAt) + (e.ExpiresSoon ? " (soon)" : string.Empty),
            ]));
    }

    private static void AuditAndPatching(PdfPageFlow flow, ComplianceReport report)
    {
        flow.Ensure(100);
        flow.Heading("Audit chain", flow.H2);
        flow.Paragraph(AuditText(report));
        flow.Paragraph(
            "The audit log is append-only; each record carries a keyed hash of the one before it, and the verification walks the whole chain against its signed end. " +
            "An Admin starts a verification on the Audit page.",
            flow.Small, XBrushes.DimGray);

        if (report.Patching.Count == 0)
        {
            return;
        }

        flow.Ensure(100);
        flow.Heading("Patch compliance", flow.H2);
        flow.Table(
            "Instances by patch state, per account and region",
            [
                new PdfColumn("Account/region", 220), new PdfColumn("Compliant", 70, AlignRight: true), new PdfColumn("Missing critical", 90, AlignRight: true),
                new PdfColumn("Missing security", 90, AlignRight: true), new PdfColumn("Missing other", 80, AlignRight: true), new PdfColumn("Unknown", 70, AlignRight: true),
                new PdfColumn("Compliant %", 80, AlignRight: true),
            ],
            report.Patching.Select(p => (IReadOnlyList<string>)
            [
                p.Key, N(p.Compliant), N(p.Critical), N(p.Security), N(p.Other), N(p.Unknown), p.CompliantPercent is { } c ? Percent(c) : "—",
            ]),
            flow.Body, flow.Bold);
    }

    private static string AuditText(ComplianceReport report) => report.AuditChain switch
    {
        null => "Not verified yet: no verification of the audit chain has run.",
        { IsFinished: false } a => $"A verification started {Time(a.StartedAt)} UTC by {a.StartedByName} is still running ({N((int)Math.Min(a.Checked, int.MaxValue))} of {N((int)Math.Min(a.Total, int.MaxValue))} records checked).",
        { Intact: true } a => $"Intact as of {Time(a.FinishedAt!.Value)} UTC (verification started by {a.StartedByName}): {a.Result}",
        var a => $"BROKEN as of {Time(a.FinishedAt!.Value)} UTC (verification started by {a.StartedByName}): {a.Result}",
    };

    private static string PatchText(ComplianceReport report)
    {
        if (report.Patching.Count == 0)
        {
            return "no patch states within this scope";
        }

        var total = report.Patching.Sum(p => p.Total);
        var compliant = report.Patching.Sum(p => p.Compliant);
        var unknown = report.Patching.Sum(p => p.Unknown);
        var known = total - unknown;
        var share = known == 0 ? "—" : Percent(100.0 * compliant / known);
        return $"{share} of {N(known)} instance(s) with a known state are compliant; {N(report.Patching.Sum(p => p.Critical))} miss critical patches; {N(unknown)} unknown";
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant);

    private static string Percent(double value) => value.ToString("0.0", Invariant) + "%";

    private static string N(int value) => value.ToString("N0", Invariant);
}
