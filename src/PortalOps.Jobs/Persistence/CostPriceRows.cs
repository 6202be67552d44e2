using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Persistence;

/// <summary>One on-demand price read from the AWS Price List (region × type), in nano-USD per hour.</summary>
internal sealed class CostPriceRow
{
    public string Region { get; set; } = string.Empty;

    public string InstanceType { get; set; } = string.Empty;

    public long PerHourNanos { get; set; }

    /// <summary>The price's effective date in the Price List (yyyy-MM-dd).</summary>
    public string EffectiveDate { get; set; } = string.Empty;

    public DateTimeOffset FetchedAt { get; set; }

    public long FetchedAtMs { get; set; }
}

/// <summary>The latest scan's coverage: running against reserved per account, region and type.</summary>
internal sealed class CostCoverageRow
{
    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string InstanceType { get; set; } = string.Empty;

    public string Day { get; set; } = string.Empty;

    public int Running { get; set; }

    /// <summary>Reserved count; <see cref="NotReported"/> where the region's endpoint does not list Reserved Instances.</summary>
    public int Reserved { get; set; }

    public const int NotReported = -1;

    public long UncoveredCents { get; set; }
}

/// <summary>An approved resize waiting for its time or maintenance window.</summary>
internal sealed class CostScheduledResizeRow
{
    public Guid ApprovalId { get; set; }

    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string InstanceId { get; set; } = string.Empty;

    public string InstanceType { get; set; } = string.Empty;

    public string Timing { get; set; } = string.Empty;

    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string Status { get; set; } = string.Empty;

    public string? Summary { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

internal static class CostPricesModel
{
    public static void Configure(ModelBuilder model)
    {
        var price = model.Entity<CostPriceRow>();
        price.ToTable("CostPrices");
        price.HasKey(p => new { p.Region, p.InstanceType });
        price.Property(p => p.Region).HasMaxLength(32);
        price.Property(p => p.InstanceType).HasMaxLength(32);
        price.Property(p => p.EffectiveDate).HasMaxLength(10);
        price.HasIndex(p => p.FetchedAtMs);

        var coverage = model.Entity<CostCoverageRow>();
        coverage.ToTable("CostCoverage");
        coverage.HasKey(c => new { c.AccountId, c.Region, c.InstanceType });
        coverage.Property(c => c.AccountId).HasMaxLength(32);
        coverage.Property(c => c.Region).HasMaxLength(32);
        coverage.Property(c => c.InstanceType).HasMaxLength(32);
        coverage.Property(c => c.Day).HasMaxLength(10);

        var resize = model.Entity<CostScheduledResizeRow>();
        resize.ToTable("CostScheduledResizes");
        resize.HasKey(r => r.ApprovalId);
        resize.Property(r => r.AccountId).HasMaxLength(32);
        resize.Property(r => r.Region).HasMaxLength(32);
        resize.Property(r => r.InstanceId).HasMaxLength(64);
        resize.Property(r => r.InstanceType).HasMaxLength(32);
        resize.Property(r => r.Timing).HasMaxLength(32);
        resize.Property(r => r.Status).HasMaxLength(16);
        resize.Property(r => r.Summary).HasMaxLength(2000);
        resize.HasIndex(r => r.Status);
    }
}

/// <summary>The Price List's prices in the database: a refresh replaces the prices of the regions it read.</summary>
public sealed class EfPriceStore(IDbContextFactory<PortalDbContext> contexts) : IPriceStore
{
    public async Task<PriceBook> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<CostPriceRow>().AsNoTracking().ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return PriceBook.Bundled;
        }

        var fetched = rows.Max(r => r.FetchedAtMs);
        return new PriceBook(
            rows.Select(r => new ListedPrice(r.Region, r.InstanceType, r.PerHourNanos / 1_000_000_000m, DateOnly.TryParse(r.EffectiveDate, CultureInfo.InvariantCulture, out var d) ? d : default)),
            DateTimeOffset.FromUnixTimeMilliseconds(fetched));
    }

    public async Task SaveAsync(IReadOnlyList<ListedPrice> prices, DateTimeOffset fetchedAt, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var regions = prices.Select(p => p.Region).Distinct(StringComparer.Ordinal).ToList();
        db.Set<CostPriceRow>().RemoveRange(await db.Set<CostPriceRow>().Where(r => regions.Contains(r.Region)).ToListAsync(cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        foreach (var p in prices.DistinctBy(p => (p.Region, p.InstanceType)))
        {
            db.Set<CostPriceRow>().Add(new CostPriceRow
            {
                Region = p.Region, InstanceType = p.InstanceType, PerHourNanos = (long)decimal.Round(p.PerHour * 1_000_000_000m),
                EffectiveDate = p.EffectiveDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), FetchedAt = fetchedAt, FetchedAtMs = fetchedAt.ToUnixTimeMilliseconds(),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}

/// <summary>The latest coverage rows, replaced by each scan.</summary>
public sealed class EfCostCoverageStore(IDbContextFactory<PortalDbContext> contexts) : ICostCoverageStore
{
    public async Task ReplaceAsync(DateOnly day, IReadOnlyList<CoverageRow> rows, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Set<CostCoverageRow>().RemoveRange(await db.Set<CostCoverageRow>().ToListAsync(cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        var text = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var r in rows.DistinctBy(r => (r.AccountId, r.Region, r.InstanceType)))
        {
            db.Set<CostCoverageRow>().Add(new CostCoverageRow
            {
                AccountId = r.AccountId, Region = r.Region, InstanceType = r.InstanceType, Day = text, Running = r.Running, Reserved = r.ReservationsReported ? r.Reserved : CostCoverageRow.NotReported,
                UncoveredCents = (long)decimal.Round(r.OnDemandMonthlyUncovered * 100m),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<CoverageView?> LatestAsync(IReadOnlySet<string>? accounts, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Set<CostCoverageRow>().AsNoTracking();
        if (accounts is not null)
        {
            var list = accounts.ToList();
            query = query.Where(r => list.Contains(r.AccountId));
        }

        var rows = await query.ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        return new CoverageView(
            DateOnly.ParseExact(rows.Max(r => r.Day)!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            rows.Select(r => new CoverageRow(r.AccountId, r.Region, r.InstanceType, r.Running, Math.Max(0, r.Reserved), r.UncoveredCents / 100m, r.Reserved != CostCoverageRow.NotReported))
                .OrderByDescending(r => r.OnDemandMonthlyUncovered).ThenBy(r => r.AccountId, StringComparer.Ordinal).ThenBy(r => r.Region, StringComparer.Ordinal).ThenBy(r => r.InstanceType, StringComparer.Ordinal)
                .ToList());
    }
}

/// <summary>Resizes approved for later, claimed by a conditional update so two runs never resize the same one.</summary>
public sealed class EfScheduledResizeStore(IDbContextFactory<PortalDbContext> contexts) : IScheduledResizeStore
{
    public async Task AddAsync(ScheduledResize resize, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Set<CostScheduledResizeRow>().AnyAsync(r => r.ApprovalId == resize.ApprovalId, cancellationToken))
        {
            return;
        }

        db.Set<CostScheduledResizeRow>().Add(new CostScheduledResizeRow
        {
            ApprovalId = resize.ApprovalId, AccountId = resize.Target.AccountId, Region = resize.Target.Region, InstanceId = resize.Target.InstanceId,
            InstanceType = resize.InstanceType, Timing = resize.Timing.ToString(), NotBefore = resize.NotBefore, CreatedAt = resize.CreatedAt,
            Status = resize.Status.ToString(), Summary = resize.Summary, FinishedAt = resize.FinishedAt,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Added by another run of the same approval: one row stays.
        }
    }

    public async Task<IReadOnlyList<ScheduledResize>> WaitingAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var waiting = nameof(ScheduledResizeStatus.Waiting);
        var rows = await db.Set<CostScheduledResizeRow>().AsNoTracking().Where(r => r.Status == waiting).ToListAsync(cancellationToken);
        return rows.Select(ToDomain).OrderBy(r => r.CreatedAt).ToList();
    }

    public async Task<bool> TryClaimAsync(Guid approvalId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var waiting = nameof(ScheduledResizeStatus.Waiting);
        var running = nameof(ScheduledResizeStatus.Running);
        var changed = await db.Set<CostScheduledResizeRow>().Where(r => r.ApprovalId == approvalId && r.Status == waiting)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, running), cancellationToken);
        return changed == 1;
    }

    public async Task CompleteAsync(Guid approvalId, bool succeeded, string summary, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var status = (succeeded ? ScheduledResizeStatus.Done : ScheduledResizeStatus.Failed).ToString();
        var text = Cut(summary, 2000);
        await db.Set<CostScheduledResizeRow>().Where(r => r.ApprovalId == approvalId)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, status).SetProperty(r => r.Summary, text).SetProperty(r => r.FinishedAt, at), cancellationToken);
    }

    public async Task<ScheduledResize?> FindAsync(Guid approvalId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<CostScheduledResizeRow>().AsNoTracking().SingleOrDefaultAsync(r => r.ApprovalId == approvalId, cancellationToken);
        return row is null ? null : ToDomain(row);
    }

    /// <summary>At most <paramref name="length"/> characters, never half of a surrogate pair (PostgreSQL refuses one).</summary>
    private static string Cut(string text, int length) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    private static ScheduledResize ToDomain(CostScheduledResizeRow r) =>
        new(r.ApprovalId, new InstanceRef(r.AccountId, r.Region, r.InstanceId), r.InstanceType, Enum.Parse<ResizeTiming>(r.Timing), r.NotBefore, r.CreatedAt)
        {
            Status = Enum.Parse<ScheduledResizeStatus>(r.Status), Summary = r.Summary, FinishedAt = r.FinishedAt,
        };
}
