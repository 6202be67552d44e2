using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Secrets;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Users in the portal database. User names are unique regardless of case. TOTP secrets are stored encrypted with the key file's key.
/// A full update carries a version check, so a copy read before someone else's change cannot overwrite it.
/// </summary>
public sealed class EfUserStore(IDbContextFactory<PortalDbContext> contexts, SecretProtector secrets) : IUserStore
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

        // One writer at a time for the check and the write: SQLite begins IMMEDIATE; PostgreSQL locks the table below
        // whenever the change could remove an enabled Admin, so two Admins demoting each other cannot both succeed.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (row.Role != Role.Admin || row.IsDisabled)
        {
            if (db.Provider == DatabaseProvider.Postgres)
            {
                await db.Database.ExecuteSqlRawAsync("LOCK TABLE \"Users\" IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
            }

            var isEnabledAdmin = await db.Users.AnyAsync(u => u.Id == row.Id && u.Role == Role.Admin && !u.IsDisabled, cancellationToken);
            if (isEnabledAdmin && !await db.Users.AnyAsync(u => u.Id != row.Id && u.Role == Role.Admin && !u.IsDisabled, cancellationToken))
            {
                throw new LastAdminException(user.UserName);
            }
        }

        int updated;
        try
        {
            // Login time and the last used TOTP step only move forward: those two are written outside this version check.
            updated = await db.Users
                .Where(u => u.Id == row.Id && u.Version == user.Version)
                .ExecuteUpdateAsync(
                    set =>
                    {
                        set.SetProperty(u => u.DisplayName, row.DisplayName);
                        set.SetProperty(u => u.Role, row.Role);
                        set.SetProperty(u => u.Scopes, row.Scopes);
                        set.SetProperty(u => u.PasswordHash, row.PasswordHash);
                        set.SetProperty(u => u.TotpSecret, row.TotpSecret);
                        set.SetProperty(
                            u => u.TotpLastStep,
                            u => row.TotpSecret == null ? null : u.TotpLastStep == null || u.TotpLastStep < row.TotpLastStep ? row.TotpLastStep : u.TotpLastStep);
                        set.SetProperty(u => u.ExternalSubject, row.ExternalSubject);
                        set.SetProperty(u => u.IsDisabled, row.IsDisabled);
                        set.SetProperty(u => u.LastLoginAt, u => u.LastLoginAt == null || u.LastLoginAt < row.LastLoginAt ? row.LastLoginAt : u.LastLoginAt);
                        set.SetProperty(u => u.SecurityStamp, row.SecurityStamp);
                        set.SetProperty(u => u.Version, user.Version + 1);
                    },
                    cancellationToken);
        }
        catch (DbException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            throw new DomainException("Another user is already linked to that identity.");
        }

        if (updated == 0)
        {
            throw await db.Users.AnyAsync(u => u.Id == row.Id, cancellationToken)
                ? new ConcurrencyConflictException($"{user.UserName} was changed by someone else meanwhile; reload and try again.")
                : new DomainException($"User '{user.UserName}' does not exist.");
        }

        await transaction.CommitAsync(cancellationToken);
        user.Saved(user.Version + 1);
    }

    public async Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LastLoginAt, at), cancellationToken);
    }

    public async Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var used = await db.Users
            .Where(u => u.Id == userId && u.TotpSecret != null && (u.TotpLastStep == null || u.TotpLastStep < step))
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.TotpLastStep, step), cancellationToken);
        return used == 1;
    }

    /// <summary>
    /// Encrypts TOTP secrets stored in plain text before encryption at rest existed; run at start. Returns how many it
    /// encrypted. Each row is rewritten only if its secret is still the one read, so it is safe with several nodes starting.
    /// </summary>
    public async Task<int> EncryptPlainTotpSecretsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var plain = await db.Users.AsNoTracking()
            .Where(u => u.TotpSecret != null && !u.TotpSecret.StartsWith("v1:"))
            .Select(u => new { u.Id, u.TotpSecret })
            .ToListAsync(cancellationToken);
        var encrypted = 0;
        foreach (var row in plain)
        {
            var protectedSecret = secrets.Protect(row.TotpSecret!, TotpPurpose(row.Id));
            encrypted += await db.Users
                .Where(u => u.Id == row.Id && u.TotpSecret == row.TotpSecret)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.TotpSecret, protectedSecret), cancellationToken);
        }

        return encrypted;
    }

    internal static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    private string UnprotectTotp(UserRow row)
    {
        try
        {
            return secrets.Unprotect(row.TotpSecret!, TotpPurpose(row.Id));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new CryptographicException(
                $"The authenticator secret of '{row.UserName}' cannot be decrypted: Data:KeyFile is not the key it was written with.", ex);
        }
    }

    private static string TotpPurpose(Guid userId) => $"PortalOps.TotpSecret:{userId}";

    private UserRow ToRow(PortalUser user) => new()
    {
        Id = user.Id,
        UserName = user.UserName,
        NormalizedUserName = Normalize(user.UserName),
        DisplayName = user.DisplayName,
        Role = user.Role,
        Scopes = PersistenceJson.WriteScopes(user.Scopes),
        PasswordHash = user.PasswordHash,
        TotpSecret = user.TotpSecret is null ? null : secrets.Protect(user.TotpSecret, TotpPurpose(user.Id)),
        TotpLastStep = user.TotpLastStep,
        Version = user.Version,
        ExternalSubject = user.ExternalSubject,
        IsDisabled = user.IsDisabled,
        CreatedAt = user.CreatedAt,
        LastLoginAt = user.LastLoginAt,
        SecurityStamp = user.SecurityStamp,
    };

    private PortalUser ToUser(UserRow row) => PortalUser.FromStore(
        row.Id, row.UserName, row.DisplayName, row.Role, PersistenceJson.ReadScopes(row.Scopes), row.CreatedAt,
        row.PasswordHash, row.TotpSecret is null ? null : UnprotectTotp(row),
        row.ExternalSubject, row.IsDisabled, row.LastLoginAt, row.SecurityStamp, row.TotpLastStep, row.Version);
}
