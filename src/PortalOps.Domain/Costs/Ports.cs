using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>A stored recommendation with what people did about it.</summary>
public sealed record RecommendationView(Recommendation Recommendation, DateTimeOffset FoundAt, DateOnly ScanDay, Dismissal? Dismissal, string? AppliedSummary, DateTimeOffset? AppliedAt)
{
    public bool Dismissed(DateTimeOffset now) => Dismissal?.IsActive(now) == true;
}

public enum RecommendationSort
{
    Saving,
    Kind,
    Resource,
    Confidence,
}

/// <summary>A page of recommendations: only those <see cref="VisibleTo"/> covers, filtered and sorted in the store.</summary>
public sealed record RecommendationQuery(DateTimeOffset Now, int PageIndex = 0, int PageSize = 25)
{
    public ReadScope? VisibleTo { get; init; }

    public RecommendationKind? Kind { get; init; }

    public Confidence? MinimumConfidence { get; init; }

    public string? Account { get; init; }

    public string? Region { get; init; }

    /// <summary>Matches the resource id, its name or its types.</summary>
    public string? Text { get; init; }

    /// <summary>Show the dismissed ones (still in force) too.</summary>
    public bool IncludeDismissed { get; init; }

    public RecommendationSort SortBy { get; init; } = RecommendationSort.Saving;

    public bool Descending { get; init; } = true;
}

/// <summary>Totals of the open recommendations one reader may see, per kind.</summary>
public sealed record SavingsTotals(int Count, decimal MonthlySaving, IReadOnlyDictionary<RecommendationKind, (int Count, decimal Saving)> ByKind);

/// <summary>One day's scan: when it ran, what it saw and found (a second run the same day replaces the first's findings).</summary>
public sealed record CostScanRecord(DateOnly Day, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int Instances, int Recommendations, decimal MonthlySaving, int MetricCalls, IReadOnlyList<string> Errors)
{
    /// <summary>Account/region of the regions whose endpoint does not report Reserved Instances (kept in the coverage rows, not here).</summary>
    public IReadOnlyList<string> ReservationsUnreported { get; init; } = [];
}

/// <summary>Keeps the latest scan's recommendations, dismissals and the scans themselves.</summary>
public interface ICostRecommendationStore
{
    /// <summary>
    /// Makes <paramref name="found"/> the current recommendations as of <paramref name="scan"/>: new ones are added, those found
    /// again keep their dismissal and applied mark, those not found any more are removed. Running it twice with the same input
    /// leaves the same rows.
    /// </summary>
    Task ReplaceAsync(CostScanRecord scan, IReadOnlyList<Recommendation> found, CancellationToken cancellationToken = default);

    Task<Page<RecommendationView>> QueryAsync(RecommendationQuery query, CancellationToken cancellationToken = default);

    Task<RecommendationView?> FindAsync(string key, CancellationToken cancellationToken = default);

    Task<SavingsTotals> TotalsAsync(ReadScope? visibleTo, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Saves (or replaces) the dismissal of its recommendation.</summary>
    Task DismissAsync(Dismissal dismissal, CancellationToken cancellationToken = default);

    Task MarkAppliedAsync(string key, string summary, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<CostScanRecord?> LastScanAsync(CancellationToken cancellationToken = default);
}
