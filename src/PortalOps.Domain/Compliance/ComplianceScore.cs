namespace PortalOps.Domain.Compliance;

/// <summary>A compliance score for a group (an account/region, a policy): resources evaluated, how many violate, and the share that comply.</summary>
public sealed record ComplianceScore(string Group, int Evaluated, int Violating)
{
    public double Percent => PolicyEvaluator.Score(Evaluated, Violating);

    /// <summary>Scores per account/region and per policy from a scan's tallies.</summary>
    public static (IReadOnlyList<ComplianceScore> ByScope, IReadOnlyList<ComplianceScore> ByPolicy, ComplianceScore Overall) Of(IEnumerable<PolicyTally> tallies)
    {
        var list = tallies.ToList();
        var byScope = list.GroupBy(t => t.Scope.ToString())
            .Select(g => new ComplianceScore(g.Key, g.Sum(t => t.Evaluated), g.Sum(t => t.Violating))).OrderBy(s => s.Group, StringComparer.Ordinal).ToList();
        var byPolicy = list.GroupBy(t => t.PolicyId)
            .Select(g => new ComplianceScore(g.Key, g.Sum(t => t.Evaluated), g.Sum(t => t.Violating))).OrderBy(s => s.Percent).ThenBy(s => s.Group, StringComparer.Ordinal).ToList();
        return (byScope, byPolicy, new ComplianceScore("all", list.Sum(t => t.Evaluated), list.Sum(t => t.Violating)));
    }
}
