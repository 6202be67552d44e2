using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>Summaries of instance patch states: per instance, group, account or region; the day's trend points; CSV.</summary>
public static class PatchCompliance
{
    public const string NoGroup = "(no group)";

    public static IReadOnlyList<PatchComplianceRow> Summarize(IEnumerable<InstancePatchState> states, PatchComplianceDimension by, DateTimeOffset now) =>
        states
            .GroupBy(s => by switch
            {
                PatchComplianceDimension.Instance => s.Instance.ToString(),
                PatchComplianceDimension.Group => s.PatchGroup ?? NoGroup,
                PatchComplianceDimension.Account => s.Instance.AccountId,
                PatchComplianceDimension.Region => $"{s.Instance.AccountId}/{s.Instance.Region}",
            }, StringComparer.Ordinal)
            .Select(g => PatchComplianceRow.Of(g.Key, g.Select(s => s.Compliance(now))))
            .OrderByDescending(r => r.Critical).ThenByDescending(r => r.Security).ThenByDescending(r => r.Other).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Today's trend points, one per account and region.</summary>
    public static IReadOnlyList<PatchComplianceSnapshot> Snapshot(IEnumerable<InstancePatchState> states, DateTimeOffset now) =>
        states
            .GroupBy(s => (s.Instance.AccountId, s.Instance.Region))
            .Select(g =>
            {
                var r = PatchComplianceRow.Of(string.Empty, g.Select(s => s.Compliance(now)));
                return new PatchComplianceSnapshot(DateOnly.FromDateTime(now.UtcDateTime), g.Key.AccountId, g.Key.Region, r.Compliant, r.Critical, r.Security, r.Other, r.Unknown);
            })
            .ToList();

    /// <summary>The trend points the scope covers, added up per day.</summary>
    public static IReadOnlyList<PatchComplianceSnapshot> Trend(IEnumerable<PatchComplianceSnapshot> snapshots, ReadScope scope) =>
        snapshots
            .Where(s => scope.Covers(s.Footprint))
            .GroupBy(s => s.Day)
            .OrderBy(g => g.Key)
            .Select(g => new PatchComplianceSnapshot(g.Key, string.Empty, string.Empty, g.Sum(s => s.Compliant), g.Sum(s => s.Critical), g.Sum(s => s.Security), g.Sum(s => s.Other), g.Sum(s => s.Unknown)))
            .ToList();

    public static string ToCsv(IEnumerable<PatchComplianceRow> rows, PatchComplianceDimension by)
    {
        var b = new System.Text.StringBuilder();
        b.Append(by).Append(",Compliant,NonCompliantCritical,NonCompliantSecurity,NonCompliantOther,Unknown,Total\n");
        foreach (var r in rows)
        {
            b.Append(Csv(r.Key)).Append(',').Append(r.Compliant).Append(',').Append(r.Critical).Append(',').Append(r.Security).Append(',')
                .Append(r.Other).Append(',').Append(r.Unknown).Append(',').Append(r.Total).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>A CSV field, quoted when needed, and never read as a formula by a spreadsheet.</summary>
    public static string Csv(string? value)
    {
        var v = value ?? string.Empty;
        if (v.Length > 0 && v[0] is '=' or '+' or '-' or '@')
        {
            v = "'" + v;
        }

        return v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{v.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : v;
    }
}
