using PortalOps.Domain.Audit;
using PortalOps.Domain.Patching;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>
/// Gathers a compliance report within one reader's scope: the latest scan in the period (scores per account/region and per policy,
/// and the score at the period's start), the policies in force, the open findings (read through the store's scoped query, the
/// same one the page and the CSV export use), the exceptions over findings the reader may see, the audit chain's latest
/// verification and, where the patching module knows the instances, patch compliance per account and region.
/// </summary>
public sealed class ComplianceReportBuilder(
    IFindingStore findings, IWaiverStore waivers, IPolicySource policies, IAuditVerification? auditChain, IPatchComplianceSummary? patching, TimeProvider clock)
{
    /// <summary>An exception running out within this many days is marked on the report.</summary>
    public static readonly TimeSpan ExpiresSoonWithin = TimeSpan.FromDays(14);

    public async Task<ComplianceReport> BuildAsync(ComplianceReportRequest request, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var scans = (await findings.ScansAsync(request.From, request.VisibleTo, cancellationToken))
            .Where(s => s.At <= request.To && s.Tallies.Count > 0).ToList();
        var latest = scans.Count > 0 ? scans[^1] : null;
        var (byScope, byPolicy, overall) = latest is null
            ? ([], [], null)
            : ComplianceScore.Of(latest.Tallies.Where(t => request.PolicyId is not { Length: > 0 } p || t.PolicyId == p));
        double? atStart = scans.Count > 1 ? ComplianceScore.Of(scans[0].Tallies).Overall.Percent : null;

        var open = await ReadAllAsync(FindingStatus.Open, request, cancellationToken);
        var waived = await ReadAllAsync(FindingStatus.Waived, request with { MinimumSeverity = null, Text = null }, cancellationToken);

        var inForce = await policies.CurrentAsync(cancellationToken);
        var scoreOf = byPolicy.ToDictionary(s => s.Group, StringComparer.Ordinal);
        var openOf = open.GroupBy(f => f.PolicyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var waivedOf = waived.GroupBy(f => f.PolicyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var reportPolicies = inForce
            .Where(p => p.Enabled && (request.PolicyId is not { Length: > 0 } id || p.Id == id))
            .Select(p => new ReportPolicy(p.Id, p.Title, p.Severity, p.Cis, scoreOf.GetValueOrDefault(p.Id), openOf.GetValueOrDefault(p.Id), waivedOf.GetValueOrDefault(p.Id)))
            .OrderByDescending(p => p.Open).ThenByDescending(p => p.Severity).ThenBy(p => p.Id, StringComparer.Ordinal)
            .ToList();

        var exceptions = await ExceptionsAsync(waived, request, now, cancellationToken);
        var audit = auditChain is null ? null : await auditChain.LatestAsync(cancellationToken);
        var patches = patching is null ? [] : await patching.SummarizeAsync(request.VisibleTo, PatchComplianceDimension.Region, cancellationToken);

        return new ComplianceReport(request, now, latest?.At, overall, atStart, byScope, byPolicy, reportPolicies, open, exceptions, audit, patches);
    }

    private async Task<List<Finding>> ReadAllAsync(FindingStatus status, ComplianceReportRequest request, CancellationToken cancellationToken)
    {
        var all = new List<Finding>();
        for (var index = 0; ; index++)
        {
            var page = await findings.QueryAsync(new FindingQuery
            {
                Status = status, MinimumSeverity = request.MinimumSeverity, PolicyId = request.PolicyId, Text = request.Text,
                PageIndex = index, PageSize = FindingQuery.MaxPageSize, VisibleTo = request.VisibleTo,
            }, cancellationToken);
            all.AddRange(page.Items);
            if (page.Items.Count < FindingQuery.MaxPageSize)
            {
                return all;
            }
        }
    }

    // Only exceptions over findings this reader may see: a waived finding in scope names its exception; one granted for a single
    // finding is shown when that finding is in scope. An exception over nothing the reader sees is not theirs to read.
    private async Task<IReadOnlyList<ReportException>> ExceptionsAsync(
        IReadOnlyList<Finding> waived, ComplianceReportRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var covered = waived.Where(f => f.WaiverId is not null).GroupBy(f => f.WaiverId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<ReportException>();
        foreach (var w in await waivers.ListAsync(cancellationToken))
        {
            if (!w.IsActive(now) || (request.PolicyId is { Length: > 0 } p && w.PolicyId != p))
            {
                continue;
            }

            covered.TryGetValue(w.Id, out var mine);
            Finding? single = null;
            if (mine is null && w.FindingId is { } findingId)
            {
                single = await findings.FindAsync(findingId, request.VisibleTo, cancellationToken);
            }

            if (mine is null && single is null)
            {
                continue;
            }

            var covers = w.FindingId is not null
                ? (mine?.FirstOrDefault() ?? single) is { } f ? $"{f.ResourceType.Name()} {f.ResourceId} ({f.AccountId}/{f.Region})" : "one finding"
                : $"tag {w.TagKey}={w.TagValue ?? "*"}";
            result.Add(new ReportException(w, covers, mine?.Count ?? 0, w.ExpiresAt - now <= ExpiresSoonWithin));
        }

        return result.OrderBy(e => e.Waiver.ExpiresAt).ThenBy(e => e.Waiver.PolicyId, StringComparer.Ordinal).ToList();
    }
}
