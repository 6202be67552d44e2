using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;

namespace PortalOps.Jobs.Persistence;

/// <summary>The Admin's approval rules as one row; a save is conditional on the version it read, so two Admins cannot overwrite each other unseen.</summary>
public sealed class EfApprovalRuleStore(IDbContextFactory<PortalDbContext> contexts) : IApprovalRuleStore
{
    private const int RowId = 1;

    public async Task<StoredApprovalRules?> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ApprovalRuleSets.AsNoTracking().SingleOrDefaultAsync(r => r.Id == RowId, cancellationToken);
        return row is null ? null : new StoredApprovalRules(PersistenceJson.ReadRules(row.Rules), row.UpdatedBy, row.UpdatedAt, row.Version);
    }

    public async Task SaveAsync(StoredApprovalRules rules, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var json = PersistenceJson.WriteRules(rules.Rules);
        if (expectedVersion < 0)
        {
            db.ApprovalRuleSets.Add(new ApprovalRuleSetRow { Id = RowId, Rules = json, UpdatedBy = rules.UpdatedBy, UpdatedAt = rules.UpdatedAt, Version = rules.Version });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
            {
                throw new ConcurrencyConflictException("Someone else saved approval rules first; reload and apply your change again.");
            }
        }

        var updated = await db.ApprovalRuleSets
            .Where(r => r.Id == RowId && r.Version == expectedVersion)
            .ExecuteUpdateAsync(
                set =>
                {
                    set.SetProperty(r => r.Rules, json);
                    set.SetProperty(r => r.UpdatedBy, rules.UpdatedBy);
                    set.SetProperty(r => r.UpdatedAt, rules.UpdatedAt);
                    set.SetProperty(r => r.Version, rules.Version);
                },
                cancellationToken);
        if (updated != 1)
        {
            throw new ConcurrencyConflictException("Someone else saved approval rules first; reload and apply your change again.");
        }
    }
}
