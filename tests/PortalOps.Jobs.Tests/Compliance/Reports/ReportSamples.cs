using PortalOps.Domain.Audit;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Compliance.Reports;

/// <summary>Reports made up in memory, of any size, for the PDF writer's tests and the benchmark's shape.</summary>
public static class ReportSamples
{
    public static readonly string[] PolicyIds = ["sg-ssh-open-to-world", "instance-imdsv1-allowed", "volume-unencrypted", "instance-required-tags-missing", "eip-unassociated"];

    public static Finding Finding(int i, string? evidence = null)
    {
        var policy = PolicyIds[i % PolicyIds.Length];
        var severity = (Severity)(3 - i % PolicyIds.Length % 4);
        var region = i % 3 == 0 ? "eu-west-1" : "us-east-1";
        return PortalOps.Domain.Compliance.Finding.Restore(
            Guid.NewGuid(), policy, severity, ResourceType.Instance, new CloudScope("123456789012", region), $"i-{i:x17}", $"web-{i}",
            new Dictionary<string, string> { ["Owner"] = $"team-{i % 7}" }, $"team-{i % 7}",
            evidence ?? $"metadata options allow IMDSv1 (HttpTokens=optional) on instance {i}", FindingStatus.Open,
            Builders.Epoch.AddDays(-i % 40), Builders.Epoch, null, 0, null, []);
    }

    public static ComplianceReport Report(int findings, string? longEvidence = null)
    {
        var open = Enumerable.Range(0, findings).Select(i => Finding(i, i == 0 ? longEvidence : null))
            .OrderByDescending(f => f.Severity).ThenBy(f => f.PolicyId, StringComparer.Ordinal).ThenBy(f => f.ResourceId, StringComparer.Ordinal).ToList();
        var byScope = new List<ComplianceScore> { new("123456789012/eu-west-1", 4000, 700), new("123456789012/us-east-1", 8000, 2400) };
        var byPolicy = PolicyIds.Select((p, i) => new ComplianceScore(p, 2400, 200 * (i + 1))).OrderBy(s => s.Percent).ToList();
        var waiver = Waiver.Restore(Guid.NewGuid(), PolicyIds[1], null, "vendor", "acme", "Vendor agent needs IMDSv1 until its next release", "ana",
            Builders.Epoch.AddDays(10), "bob", Builders.Epoch.AddDays(-20), null);
        return new ComplianceReport(
            new ComplianceReportRequest("123456789012/*", new ReadScope([new Scope("123456789012", "*")]), Builders.Epoch.AddDays(-7), Builders.Epoch, "ana (Viewer)"),
            Builders.Epoch,
            Builders.Epoch.AddHours(-2),
            new ComplianceScore("all", 12000, 3100),
            70.0,
            byScope,
            byPolicy,
            PolicyIds.Select((p, i) => new ReportPolicy(p, $"Title of {p}", (Severity)(3 - i % 4), i == 0 ? "5.2" : null, byPolicy.Single(s => s.Group == p), open.Count(f => f.PolicyId == p), i == 1 ? 3 : 0)).ToList(),
            open,
            [new ReportException(waiver, "tag vendor=acme", 3, ExpiresSoon: true)],
            new AuditVerificationStatus(Guid.NewGuid(), "admin", Builders.Epoch.AddHours(-1), 420, 420, Builders.Epoch.AddMinutes(-59), true, null, "Intact: 420 records checked."),
            [new PatchComplianceRow("123456789012/eu-west-1", 40, 2, 3, 1, 4)]);
    }
}
