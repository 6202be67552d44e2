namespace PortalOps.Domain.Compliance;

/// <summary>
/// A compliance policy: which resources it looks at, the conditions that make one a violation (all must hold), how bad it is,
/// the CIS AWS Foundations control it serves, and an optional remediation limited to <see cref="MaxResources"/> resources per request.
/// Read from a YAML document (the source is kept with it for versions, export and the editor).
/// </summary>
public sealed record Policy(
    string Id,
    string Title,
    ResourceType Resource,
    Severity Severity,
    string Description,
    IReadOnlyList<PolicyFilter> Filters)
{
    public const int DefaultMaxResources = 50;

    /// <summary>The CIS AWS Foundations Benchmark control, e.g. "5.2"; null when no control applies.</summary>
    public string? Cis { get; init; }

    public Remediation? Remediation { get; init; }

    /// <summary>Refuse to remediate when more resources than this match.</summary>
    public int MaxResources { get; init; } = DefaultMaxResources;

    public bool Enabled { get; init; } = true;

    /// <summary>The YAML document the policy was read from.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Evidence when every filter matches the resource, otherwise null.</summary>
    public string? Match(ComplianceResource resource, EvaluationContext context)
    {
        if (resource.Type != Resource)
        {
            return null;
        }

        string? first = null;
        List<string>? more = null;
        foreach (var f in Filters)
        {
            var e = f.Match(resource, context);
            if (e is null)
            {
                return null;
            }

            if (first is null)
            {
                first = e;
            }
            else
            {
                (more ??= []).Add(e);
            }
        }

        return more is null ? first ?? "matched" : first + "; " + string.Join("; ", more);
    }
}
