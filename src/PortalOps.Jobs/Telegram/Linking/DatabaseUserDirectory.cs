using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Linking;

/// <summary>Telegram links in the portal database (table TelegramLinks); the person's rights come from the user store.</summary>
public sealed class DatabaseUserDirectory(IDbContextFactory<PortalDbContext> contexts, IUserStore users) : IUserDirectory
{
    public async Task<PortalUser?> FindByChatUserAsync(long chatUserId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var userId = await db.TelegramLinks.AsNoTracking()
            .Where(l => l.TelegramUserId == chatUserId)
            .Select(l => (Guid?)l.UserId)
            .SingleOrDefaultAsync(cancellationToken);
        return userId is { } id ? await users.FindAsync(id, cancellationToken) : null;
    }

    public async Task<ChatLink?> FindLinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.TelegramLinks.AsNoTracking().SingleOrDefaultAsync(l => l.UserId == userId, cancellationToken);
        return row is null ? null : ToLink(row);
    }

    public async Task<IReadOnlyList<ChatLink>> FindLinksAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default)
    {
        if (userIds.Count == 0)
        {
            return [];
        }

        var ids = userIds.Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TelegramLinks.AsNoTracking().Where(l => ids.Contains(l.UserId)).ToListAsync(cancellationToken);
        return rows.Select(ToLink).ToList();
    }

    public async Task LinkAsync(ChatLink link, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var taken = await db.TelegramLinks.AnyAsync(l => l.TelegramUserId == link.ChatUserId && l.UserId != link.UserId, cancellationToken);
        if (taken)
        {
            throw new DomainException("This Telegram account is already linked to another PortalOps user.");
        }

        await db.TelegramLinks.Where(l => l.UserId == link.UserId).ExecuteDeleteAsync(cancellationToken);
        db.TelegramLinks.Add(new TelegramLinkRow
        {
            UserId = link.UserId,
            TelegramUserId = link.ChatUserId,
            TelegramUserName = link.ChatUserName,
            LinkedAt = link.LinkedAt,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            throw new DomainException("This Telegram account is already linked to another PortalOps user.");
        }
    }

    public async Task<bool> UnlinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TelegramLinks.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<UserDirectoryHealth> CheckAsync(CancellationToken cancellationToken = default)
    {
        const string store = "the portal database";
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.TelegramLinks.AsNoTracking().AnyAsync(cancellationToken);
            return new UserDirectoryHealth(store, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new UserDirectoryHealth(store, false, $"The portal database cannot be read ({ex.GetType().Name}).");
        }
    }

    private static ChatLink ToLink(TelegramLinkRow row) => new(row.UserId, row.TelegramUserId, row.TelegramUserName, row.LinkedAt);
}
