using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Budgets, one per scope, scoped in SQL by their footprint; saved only over the version they replace.</summary>
public sealed class EfBudgetStore(IDbContextFactory<PortalDbContext> contexts) : IBudgetStore
{
    public async Task<IReadOnlyList<Budget>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.CostBudgets.AsNoTracking().Visible(visibleTo).OrderBy(b => b.Name).ThenBy(b => b.Key).ToListAsync(cancellationToken);
        return rows.Select(ToBudget).ToList();
    }

    public async Task<Budget?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostBudgets.AsNoTracking().SingleOrDefaultAsync(b => b.Key == key, cancellationToken);
        return row is null ? null : ToBudget(row);
    }

    public async Task<bool> SaveAsync(Budget budget, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostBudgets.SingleOrDefaultAsync(b => b.Key == budget.Key, cancellationToken);
        if ((row?.Version ?? 0) != budget.Version - 1)
        {
            return false;
        }

        if (row is null)
        {
            db.CostBudgets.Add(row = new CostBudgetRow { Key = budget.Key });
        }

        var (account, region, tags) = FootprintFilter.Columns(budget.Footprint);
        row.Name = budget.Name;
        row.Account = budget.Scope.Account;
        row.TagKey = budget.Scope.TagKey;
        row.TagValue = budget.Scope.TagValue;
        row.AmountCents = Cents(budget.MonthlyAmount);
        row.Thresholds = string.Join(',', budget.Thresholds);
        row.AlertOnForecast = budget.AlertOnForecast;
        row.Version = budget.Version;
        row.UpdatedBy = budget.UpdatedBy;
        row.UpdatedAt = budget.UpdatedAt;
        row.FootprintAccount = account ?? string.Empty;
        row.FootprintRegion = region ?? string.Empty;
        row.FootprintTags = tags;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.CostBudgets.Where(b => b.Key == key).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    private static Budget ToBudget(CostBudgetRow r) =>
        new(new BudgetScope(r.Account, r.TagKey, r.TagValue), r.Name, r.AmountCents / 100m,
            r.Thresholds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList(),
            r.AlertOnForecast, r.Version, r.UpdatedBy, r.UpdatedAt);

    internal static long Cents(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);
}

/// <summary>Applied recommendations and their realized savings, scoped in SQL by the resource's footprint.</summary>
public sealed class EfSavingsStore(IDbContextFactory<PortalDbContext> contexts) : ISavingsStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task AddAsync(AppliedSaving saving, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.CostSavings.AnyAsync(s => s.Id == saving.Id, cancellationToken))
        {
            return;
        }

        var (account, region, tags) = FootprintFilter.Columns(saving.Footprint);
        db.CostSavings.Add(new CostSavingRow
        {
            Id = saving.Id,
            RecommendationKey = saving.RecommendationKey,
            Kind = saving.Kind.ToString(),
            ResourceId = saving.Resource.InstanceId,
            ResourceName = Cut(saving.ResourceName, 200),
            Description = Cut(saving.Description, 500),
            Tags = JsonSerializer.Serialize(saving.Tags, Json),
            BeforeCents = EfBudgetStore.Cents(saving.MonthlyBefore),
            AfterCents = EfBudgetStore.Cents(saving.MonthlyAfter),
            ApprovalId = saving.ApprovalId,
            RequestedAt = saving.RequestedAt,
            RequestedBy = Cut(saving.RequestedBy, 200),
            State = (int)saving.State,
            RealizedAt = saving.RealizedAt,
            Outcome = saving.Outcome is null ? null : Cut(saving.Outcome, 2000),
            FootprintAccount = account ?? string.Empty,
            FootprintRegion = region ?? string.Empty,
            FootprintTags = tags,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            // recorded by a concurrent Apply of the same request
        }
    }

    public async Task<IReadOnlyList<AppliedSaving>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.CostSavings.AsNoTracking().Visible(visibleTo).ToListAsync(cancellationToken);
        return rows.Select(ToSaving).ToList();
    }

    public async Task<Page<AppliedSaving>> QueryAsync(ReadScope? visibleTo, SavingState? state, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(pageSize, 1, 500);
        var index = Math.Max(0, pageIndex);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.CostSavings.AsNoTracking().Visible(visibleTo);
        if (state is { } s)
        {
            var value = (int)s;
            rows = rows.Where(r => r.State == value);
        }

        var total = await rows.CountAsync(cancellationToken);
        // Newest first; the id is time-ordered (version 7), which sorts the same on both providers.
        var page = await rows.OrderByDescending(r => r.Id).Skip(index * size).Take(size).ToListAsync(cancellationToken);
        return new Page<AppliedSaving>(page.Select(ToSaving).ToList(), total, index, size);
    }

    public async Task<IReadOnlyList<AppliedSaving>> ListPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = (int)SavingState.Pending;
        var rows = await db.CostSavings.AsNoTracking().Where(r => r.State == pending).Take(1000).ToListAsync(cancellationToken);
        return rows.Select(ToSaving).ToList();
    }

    public async Task SettleAsync(Guid id, SavingState state, DateTimeOffset? realizedAt, string? outcome, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostSavings.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (row is null || row.State != (int)SavingState.Pending)
        {
            return;
        }

        row.State = (int)state;
        row.RealizedAt = realizedAt;
        row.Outcome = outcome is null ? null : Cut(outcome, 2000);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static AppliedSaving ToSaving(CostSavingRow r) =>
        new(r.Id, r.RecommendationKey, Enum.TryParse<RecommendationKind>(r.Kind, out var kind) ? kind : RecommendationKind.Rightsize,
            new InstanceRef(r.FootprintAccount, r.FootprintRegion, r.ResourceId), r.ResourceName,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Tags, Json) ?? [], r.Description, r.BeforeCents / 100m, r.AfterCents / 100m,
            r.ApprovalId, r.RequestedAt, r.RequestedBy, (SavingState)r.State, r.RealizedAt, r.Outcome);

    private static string Cut(string text, int length) => text.Length > length ? text[..length] : text;
}
