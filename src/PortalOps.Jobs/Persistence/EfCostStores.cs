using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Cost recommendations (scoped in SQL by their footprint), their dismissals, and one scan row per day.</summary>
public sealed class EfCostRecommendationStore(IDbContextFactory<PortalDbContext> contexts) : ICostRecommendationStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task ReplaceAsync(CostScanRecord scan, IReadOnlyList<Recommendation> found, CancellationToken cancellationToken = default)
    {
        var day = Day(scan.Day);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.CostRecommendations.ToDictionaryAsync(r => r.Key, StringComparer.Ordinal, cancellationToken);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in found.DistinctBy(r => r.Key))
        {
            keep.Add(r.Key);
            if (existing.TryGetValue(r.Key, out var row))
            {
                // Found again: keep when it was first found and whether someone applied it, unless the proposal itself changed.
                var changed = row.TargetType != r.TargetType;
                Fill(row, r, changed ? scan.StartedAt : row.FoundAt, day);
                if (changed)
                {
                    row.AppliedAt = null;
                    row.AppliedSummary = null;
                }
            }
            else
            {
                var added = new CostRecommendationRow { Key = r.Key };
                Fill(added, r, scan.StartedAt, day);
                db.CostRecommendations.Add(added);
            }
        }

        db.CostRecommendations.RemoveRange(existing.Values.Where(r => !keep.Contains(r.Key)));
        var scanRow = await db.CostScans.SingleOrDefaultAsync(s => s.Day == day, cancellationToken);
        if (scanRow is null)
        {
            db.CostScans.Add(scanRow = new CostScanRow { Day = day });
        }

        scanRow.StartedAt = scan.StartedAt;
        scanRow.FinishedAt = scan.FinishedAt;
        scanRow.Instances = scan.Instances;
        scanRow.Recommendations = scan.Recommendations;
        scanRow.SavingCents = Cents(scan.MonthlySaving);
        scanRow.MetricCalls = scan.MetricCalls;
        scanRow.Errors = JsonSerializer.Serialize(scan.Errors, Json);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<Page<RecommendationView>> QueryAsync(RecommendationQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, 500);
        var index = Math.Max(0, query.PageIndex);
        var nowMs = query.Now.ToUnixTimeMilliseconds();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.CostRecommendations.AsNoTracking().Visible(query.VisibleTo);
        if (!query.IncludeDismissed)
        {
            rows = rows.Where(r => !db.CostDismissals.Any(d => d.RecommendationKey == r.Key && d.UntilMs > nowMs));
        }

        if (query.Kind is { } kind)
        {
            var k = kind.ToString();
            rows = rows.Where(r => r.Kind == k);
        }

        if (query.MinimumConfidence is { } confidence)
        {
            var c = (int)confidence;
            rows = rows.Where(r => r.Confidence >= c);
        }

        if (query.Account is { Length: > 0 } account)
        {
            rows = rows.Where(r => r.FootprintAccount == account);
        }

        if (query.Region is { Length: > 0 } region)
        {
            rows = rows.Where(r => r.FootprintRegion == region);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            rows = rows.Where(r => r.ResourceId.Contains(text) || r.ResourceName.Contains(text) || (r.CurrentType != null && r.CurrentType.Contains(text)) || (r.TargetType != null && r.TargetType.Contains(text)));
        }

        var total = await rows.CountAsync(cancellationToken);
        var ordered = (query.SortBy, query.Descending) switch
        {
            (RecommendationSort.Kind, false) => rows.OrderBy(r => r.Kind).ThenByDescending(r => r.SavingCents),
            (RecommendationSort.Kind, true) => rows.OrderByDescending(r => r.Kind).ThenByDescending(r => r.SavingCents),
            (RecommendationSort.Resource, false) => rows.OrderBy(r => r.ResourceName).ThenBy(r => r.ResourceId),
            (RecommendationSort.Resource, true) => rows.OrderByDescending(r => r.ResourceName).ThenByDescending(r => r.ResourceId),
            (RecommendationSort.Confidence, false) => rows.OrderBy(r => r.Confidence).ThenByDescending(r => r.SavingCents),
            (RecommendationSort.Confidence, true) => rows.OrderByDescending(r => r.Confidence).ThenByDescending(r => r.SavingCents),
            (RecommendationSort.Saving, false) => rows.OrderBy(r => r.SavingCents),
            (RecommendationSort.Saving, true) => rows.OrderByDescending(r => r.SavingCents),
        };
        var page = await ordered.ThenBy(r => r.Key).Skip((int)Math.Min((long)index * size, int.MaxValue)).Take(size).ToListAsync(cancellationToken);
        var keys = page.Select(r => r.Key).ToList();
        var dismissals = await db.CostDismissals.AsNoTracking().Where(d => keys.Contains(d.RecommendationKey)).ToDictionaryAsync(d => d.RecommendationKey, StringComparer.Ordinal, cancellationToken);
        return new Page<RecommendationView>(page.Select(r => ToView(r, dismissals.GetValueOrDefault(r.Key))).ToList(), total, index, size);
    }

    public async Task<RecommendationView?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostRecommendations.AsNoTracking().SingleOrDefaultAsync(r => r.Key == key, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var dismissal = await db.CostDismissals.AsNoTracking().SingleOrDefaultAsync(d => d.RecommendationKey == key, cancellationToken);
        return ToView(row, dismissal);
    }

    public async Task<SavingsTotals> TotalsAsync(ReadScope? visibleTo, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var groups = await db.CostRecommendations.AsNoTracking().Visible(visibleTo)
            .Where(r => !db.CostDismissals.Any(d => d.RecommendationKey == r.Key && d.UntilMs > nowMs))
            .GroupBy(r => r.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count(), Cents = g.Sum(r => r.SavingCents) })
            .ToListAsync(cancellationToken);
        var byKind = groups.Where(g => Enum.TryParse<RecommendationKind>(g.Kind, out _))
            .ToDictionary(g => Enum.Parse<RecommendationKind>(g.Kind), g => (g.Count, g.Cents / 100m));
        return new SavingsTotals(byKind.Values.Sum(v => v.Count), byKind.Values.Sum(v => v.Item2), byKind);
    }

    public async Task DismissAsync(Dismissal dismissal, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostDismissals.SingleOrDefaultAsync(d => d.RecommendationKey == dismissal.RecommendationKey, cancellationToken);
        if (row is null)
        {
            db.CostDismissals.Add(row = new CostDismissalRow { RecommendationKey = dismissal.RecommendationKey });
        }

        row.Reason = dismissal.Reason;
        row.UntilMs = dismissal.Until.ToUnixTimeMilliseconds();
        row.By = dismissal.By;
        row.ByName = dismissal.ByName;
        row.At = dismissal.At;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task MarkAppliedAsync(string key, string summary, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostRecommendations.SingleOrDefaultAsync(r => r.Key == key, cancellationToken);
        if (row is not null)
        {
            row.AppliedSummary = summary.Length > 2000 ? summary[..2000] : summary;
            row.AppliedAt = at;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<CostScanRecord?> LastScanAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostScans.AsNoTracking().OrderByDescending(s => s.Day).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new CostScanRecord(
            DateOnly.ParseExact(row.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), row.StartedAt, row.FinishedAt, row.Instances, row.Recommendations,
            row.SavingCents / 100m, row.MetricCalls, JsonSerializer.Deserialize<List<string>>(row.Errors, Json) ?? []);
    }

    private static void Fill(CostRecommendationRow row, Recommendation r, DateTimeOffset foundAt, string day)
    {
        var (account, region, tags) = FootprintFilter.Columns(r.Footprint);
        row.Kind = r.Kind.ToString();
        row.ResourceId = r.ResourceId;
        row.ResourceName = r.ResourceName;
        row.CurrentType = r.CurrentType;
        row.TargetType = r.TargetType;
        row.SavingCents = Cents(r.MonthlySaving);
        row.Confidence = (int)r.Confidence;
        row.Evidence = JsonSerializer.Serialize(r.Evidence, Json);
        row.Tags = JsonSerializer.Serialize(r.Tags, Json);
        row.FoundAt = foundAt;
        row.ScanDay = day;
        row.FootprintAccount = account ?? string.Empty;
        row.FootprintRegion = region ?? string.Empty;
        row.FootprintTags = tags;
    }

    private static RecommendationView ToView(CostRecommendationRow r, CostDismissalRow? d)
    {
        var recommendation = new Recommendation(
            Enum.Parse<RecommendationKind>(r.Kind),
            new InstanceRef(r.FootprintAccount, r.FootprintRegion, r.ResourceId),
            r.ResourceName,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Tags, Json) ?? [],
            r.CurrentType,
            r.TargetType,
            r.SavingCents / 100m,
            (Confidence)r.Confidence,
            JsonSerializer.Deserialize<List<string>>(r.Evidence, Json) ?? []);
        var dismissal = d is null ? null : new Dismissal(d.RecommendationKey, d.Reason, DateTimeOffset.FromUnixTimeMilliseconds(d.UntilMs), d.By, d.ByName, d.At);
        return new RecommendationView(recommendation, r.FoundAt, DateOnly.ParseExact(r.ScanDay, "yyyy-MM-dd", CultureInfo.InvariantCulture), dismissal, r.AppliedSummary, r.AppliedAt);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long Cents(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);
}
