using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Users in the portal database. User names are unique regardless of case.</summary>
public sealed class EfUserStore(IDbContextFactory<PortalDbContext> contexts) : IUserStore
{
    public async Task<PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        return row is null ? null : ToUser(row);
    }

    public async Task<PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(userName);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken);
        return row is null ? null : ToUser(row);
    }

    public async Task<PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.ExternalSubject == subject, cancellationToken);
        return row is null ? null : ToUser(row);
    }

    public async Task<IReadOnlyList<PortalUser>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Users.AsNoTracking().OrderBy(u => u.NormalizedUserName).ToListAsync(cancellationToken);
        return rows.Select(ToUser).ToList();
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.CountAsync(cancellationToken);
    }

    public async Task AddAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Users.Add(ToRow(user));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            throw new DomainException($"A user named '{user.UserName}' already exists.");
        }
    }

    public async Task UpdateAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        var row = ToRow(user);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        int updated;
        try
        {
            updated = await db.Users
                .Where(u => u.Id == row.Id)
                .ExecuteUpdateAsync(
                    set =>
                    {
                        set.SetProperty(u => u.DisplayName, row.DisplayName);
                        set.SetProperty(u => u.Role, row.Role);
                        set.SetProperty(u => u.Scopes, row.Scopes);
                        set.SetProperty(u => u.PasswordHash, row.PasswordHash);
                        set.SetProperty(u => u.TotpSecret, row.TotpSecret);
                        set.SetProperty(u => u.ExternalSubject, row.ExternalSubject);
                        set.SetProperty(u => u.IsDisabled, row.IsDisabled);
                        set.SetProperty(u => u.LastLoginAt, row.LastLoginAt);
                        set.SetProperty(u => u.SecurityStamp, row.SecurityStamp);
                    },
                    cancellationToken);
        }
        catch (DbException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            throw new DomainException("Another user is already linked to that identity.");
        }

        if (updated == 0)
        {
            throw new DomainException($"User '{user.UserName}' does not exist.");
        }
    }

    internal static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    private static UserRow ToRow(PortalUser user) => new()
    {
        Id = user.Id,
        UserName = user.UserName,
        NormalizedUserName = Normalize(user.UserName),
        DisplayName = user.DisplayName,
        Role = user.Role,
        Scopes = PersistenceJson.WriteScopes(user.Scopes),
        PasswordHash = user.PasswordHash,
        TotpSecret = user.TotpSecret,
        ExternalSubject = user.ExternalSubject,
        IsDisabled = user.IsDisabled,
        CreatedAt = user.CreatedAt,
        LastLoginAt = user.LastLoginAt,
        SecurityStamp = user.SecurityStamp,
    };

    private static PortalUser ToUser(UserRow row) => PortalUser.FromStore(
        row.Id, row.UserName, row.DisplayName, row.Role, PersistenceJson.ReadScopes(row.Scopes), row.CreatedAt,
        row.PasswordHash, row.TotpSecret, row.ExternalSubject, row.IsDisabled, row.LastLoginAt, row.SecurityStamp);
}
