using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>
/// What a compliance report covers: the reader's scope (from the Authorizer, or a schedule's scopes), the period, who asked, and
/// the findings filters of the page it was asked from. The findings it lists are always the open ones within <see cref="VisibleTo"/>.
/// </summary>
public sealed record ComplianceReportRequest(string ScopeLabel, ReadScope VisibleTo, DateTimeOffset From, DateTimeOffset To, string RequestedBy)
{
    public Severity? MinimumSeverity { get; init; }

    public string? PolicyId { get; init; }

    /// <summary>Part of a resource id, name or owner.</summary>
    public string? Text { get; init; }

    /// <summary>The filters in words, for the cover; empty when none is set.</summary>
    public string FiltersText
    {
        get
        {
            var parts = new List<string>();
            if (MinimumSeverity is { } s)
            {
                parts.Add($"severity {s} or worse");
            }

            if (!string.IsNullOrWhiteSpace(PolicyId))
            {
                parts.Add($"policy {PolicyId}");
            }

            if (!string.IsNullOrWhiteSpace(Text))
            {
                parts.Add($"resource, name or owner containing \"{Text}\"");
            }

            return string.Join(", ", parts);
        }
    }

    /// <summary>The reader's scopes in words.</summary>
    public static string Describe(IReadOnlyList<Scope> scopes) =>
        scopes.Count == 0 ? "nothing (no scopes)"
        : scopes.Any(s => s == Scope.Everything) ? "all accounts and regions"
        : string.Join(", ", scopes.Select(s => s.ToString()));
}
