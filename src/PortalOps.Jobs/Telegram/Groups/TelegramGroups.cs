using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Groups;

public sealed record AllowedGroup(long ChatId, string Title, string AllowedByName, DateTimeOffset AllowedAt);

/// <summary>The group chats the bot works in, as an Admin keeps them.</summary>
public interface ITelegramGroups
{
    Task<IReadOnlyList<AllowedGroup>> ListAsync(CancellationToken cancellationToken = default);

    Task<bool> IsAllowedAsync(long chatId, CancellationToken cancellationToken = default);

    /// <summary>Allows a group; returns a problem to show, or null when done. Audited.</summary>
    Task<string?> AllowAsync(Actor actor, long chatId, string? title, CancellationToken cancellationToken = default);

    /// <summary>Removes a group; returns a problem to show, or null when done. Audited.</summary>
    Task<string?> RemoveAsync(Actor actor, long chatId, CancellationToken cancellationToken = default);
}

/// <summary>
/// The group chats the bot works in. The bot ignores every other group; in an allowed one, each command and button press
/// is authorized for the person who sent or pressed it. Only Admins change the list, and every change is audited.
/// </summary>
public sealed class TelegramGroups(IDbContextFactory<PortalDbContext> contexts, IAuditLog audit, TimeProvider clock) : ITelegramGroups
{
    public async Task<IReadOnlyList<AllowedGroup>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TelegramGroups.AsNoTracking().OrderBy(g => g.Title).ThenBy(g => g.ChatId).ToListAsync(cancellationToken);
        return rows.Select(r => new AllowedGroup(r.ChatId, r.Title, r.AllowedByName, r.AllowedAt)).ToList();
    }

    public async Task<bool> IsAllowedAsync(long chatId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TelegramGroups.AnyAsync(g => g.ChatId == chatId, cancellationToken);
    }

    /// <summary>Allows a group; returns a problem to show, or null when done.</summary>
    public async Task<string?> AllowAsync(Actor actor, long chatId, string? title, CancellationToken cancellationToken = default)
    {
        var target = $"telegram-group:{chatId}";
        if (!Authorizer.AuthorizeAdministration(actor, "allowing group chats").Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "telegram.group.allow", target, AuditOutcome.Denied, "Only an Admin allows group chats."), cancellationToken);
            return "Only an Admin allows group chats.";
        }

        if (chatId >= 0)
        {
            return "A group chat id is negative (e.g. -1001234567890); ask the bot for /whoami in the group to see it.";
        }

        var name = string.IsNullOrWhiteSpace(title) ? $"Group {chatId}" : title.Trim();
        name = name.Length > 200 ? name[..200] : name;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.TelegramGroups.AnyAsync(g => g.ChatId == chatId, cancellationToken))
        {
            return "That group is already allowed.";
        }

        db.TelegramGroups.Add(new TelegramGroupRow { ChatId = chatId, Title = name, AllowedByName = actor.Name, AllowedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            return "That group is already allowed.";
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "telegram.group.allow", target, AuditOutcome.Succeeded, name), cancellationToken);
        return null;
    }

    public async Task<string?> RemoveAsync(Actor actor, long chatId, CancellationToken cancellationToken = default)
    {
        var target = $"telegram-group:{chatId}";
        if (!Authorizer.AuthorizeAdministration(actor, "removing group chats").Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "telegram.group.remove", target, AuditOutcome.Denied, "Only an Admin removes group chats."), cancellationToken);
            return "Only an Admin removes group chats.";
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var removed = await db.TelegramGroups.Where(g => g.ChatId == chatId).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
        {
            return "That group is not on the list.";
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "telegram.group.remove", target, AuditOutcome.Succeeded), cancellationToken);
        return null;
    }
}
