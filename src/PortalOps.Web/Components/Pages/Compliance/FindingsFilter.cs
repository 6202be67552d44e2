using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>The findings grid's filters, shared by the page and its CSV export (the same query string).</summary>
public sealed record FindingsFilter
{
    public FindingStatus? Status { get; init; } = FindingStatus.Open;

    public Domain.Compliance.Severity? MinimumSeverity { get; init; }

    public string? PolicyId { get; init; }

    public string? Text { get; init; }

    public FindingQuery ToQuery(ReadScope visibleTo, int pageIndex, int pageSize) => new()
    {
        Status = Status, MinimumSeverity = MinimumSeverity, PolicyId = PolicyId, Text = Text, PageIndex = pageIndex, PageSize = pageSize, VisibleTo = visibleTo,
    };

    public string QueryString()
    {
        var parts = new List<string>();
        if (Status is { } s)
        {
            parts.Add($"status={s}");
        }

        if (MinimumSeverity is { } m)
        {
            parts.Add($"severity={m}");
        }

        if (!string.IsNullOrWhiteSpace(PolicyId))
        {
            parts.Add($"policy={Uri.EscapeDataString(PolicyId)}");
        }

        if (!string.IsNullOrWhiteSpace(Text))
        {
            parts.Add($"text={Uri.EscapeDataString(Text)}");
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}
