using PortalOps.Domain.Audit;
using PortalOps.Domain.Patching;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>One policy as the report shows it: its score in the latest scan and its open and excepted findings within the scope.</summary>
public sealed record ReportPolicy(string Id, string Title, Severity Severity, string? Cis, ComplianceScore? Score, int Open, int Waived);

/// <summary>An exception in force over findings the reader may see: what it covers, how many, and when it runs out.</summary>
public sealed record ReportException(Waiver Waiver, string Covers, int FindingsCovered, bool ExpiresSoon);

/// <summary>
/// Everything a compliance report says, gathered once within one reader's scope (<see cref="ComplianceReportBuilder"/>) and then
/// written by an <see cref="IComplianceReportWriter"/>.
/// </summary>
public sealed record ComplianceReport(
    ComplianceReportRequest Request,
    DateTimeOffset GeneratedAt,
    DateTimeOffset? LastScanAt,
    ComplianceScore? Overall,
    double? ScoreAtPeriodStart,
    IReadOnlyList<ComplianceScore> ByScope,
    IReadOnlyList<ComplianceScore> ByPolicy,
    IReadOnlyList<ReportPolicy> Policies,
    IReadOnlyList<Finding> OpenFindings,
    IReadOnlyList<ReportException> Exceptions,
    AuditVerificationStatus? AuditChain,
    IReadOnlyList<PatchComplianceRow> Patching)
{
    public int OpenOf(Severity severity) => OpenFindings.Count(f => f.Severity == severity);
}

/// <summary>Writes a report as a document (the PDF writer in Jobs).</summary>
public interface IComplianceReportWriter
{
    /// <summary>The file's media type, e.g. application/pdf.</summary>
    string ContentType { get; }

    void Write(ComplianceReport report, Stream output);
}
