using PortalOps.Domain.Costs;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>The recommendations grid's filters, shared by the grid and its CSV export.</summary>
public sealed record RecommendationFilter
{
    public RecommendationKind? Kind { get; init; }

    public Confidence? MinimumConfidence { get; init; }

    public string? Text { get; init; }

    public bool IncludeDismissed { get; init; }

    public RecommendationQuery ToQuery(DateTimeOffset now, int pageIndex, int pageSize) => new(now, pageIndex, pageSize)
    {
        Kind = Kind, MinimumConfidence = MinimumConfidence, Text = Text, IncludeDismissed = IncludeDismissed,
    };

    public string QueryString()
    {
        var parts = new List<string>();
        if (Kind is { } k)
        {
            parts.Add($"kind={k}");
        }

        if (MinimumConfidence is { } c)
        {
            parts.Add($"confidence={c}");
        }

        if (!string.IsNullOrWhiteSpace(Text))
        {
            parts.Add($"text={Uri.EscapeDataString(Text)}");
        }

        if (IncludeDismissed)
        {
            parts.Add("dismissed=true");
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}
