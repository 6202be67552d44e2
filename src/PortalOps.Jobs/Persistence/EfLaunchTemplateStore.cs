using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Persistence;

/// <summary>Launch templates, one row each, the configuration as JSON; names are unique regardless of case.</summary>
public sealed class EfLaunchTemplateStore(IDbContextFactory<PortalDbContext> contexts) : ILaunchTemplateStore
{
    public async Task<IReadOnlyList<LaunchTemplate>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.LaunchTemplates.AsNoTracking().OrderBy(t => t.NormalizedName).Take(1000).ToListAsync(cancellationToken);
        return rows.Select(ToTemplate).ToList();
    }

    public async Task<LaunchTemplate?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.LaunchTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        return row is null ? null : ToTemplate(row);
    }

    public async Task SaveAsync(LaunchTemplate template, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.LaunchTemplates.SingleOrDefaultAsync(t => t.Id == template.Id, cancellationToken);
        if (row is null)
        {
            row = new LaunchTemplateRow { Id = template.Id };
            db.LaunchTemplates.Add(row);
        }

        row.Name = template.Name;
        row.NormalizedName = template.Name.ToUpperInvariant();
        row.Spec = PersistenceJson.WriteSpec(template.Spec);
        row.UpdatedBy = template.UpdatedBy;
        row.UpdatedAt = template.UpdatedAt;
        row.Version = template.Version;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            throw new DomainException($"A template called '{template.Name}' exists already.");
        }
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.LaunchTemplates.Where(t => t.Id == id).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    private static LaunchTemplate ToTemplate(LaunchTemplateRow row) =>
        new(row.Id, row.Name, PersistenceJson.ReadSpec(row.Spec), row.UpdatedBy, row.UpdatedAt, row.Version);
}
