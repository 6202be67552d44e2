using Microsoft.Extensions.Options;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;

namespace PortalOps.Jobs.Telegram.Linking;

/// <summary>A linking code as the Profile page shows it: the code, the deep link (once the bot's name is known) and the expiry.</summary>
public sealed record LinkInvitation(string Code, string? DeepLink, DateTimeOffset ExpiresAt);

/// <summary>What happened to a <c>/start CODE</c>.</summary>
public sealed record LinkOutcome(bool Linked, string Message, PortalUser? User = null);

/// <summary>Linking a Telegram account to a portal user, and unlinking it: the use cases behind the Profile page and <c>/start</c>.</summary>
public sealed class TelegramLinking(
    ILinkCodes codes, IUserDirectory directory, IUserStore users, IAuditLog audit, TelegramStatus status, IOptions<TelegramOptions> options, TimeProvider clock)
{
    public async Task<LinkInvitation> InviteAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            throw new DomainException("Telegram is off on this portal: no bot token is configured.");
        }

        var (code, expiresAt) = await codes.IssueAsync(actor.UserId, TimeSpan.FromMinutes(options.Value.LinkCodeMinutes), cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "telegram.link.code", $"user:{actor.UserId}", AuditOutcome.Succeeded, "Linking code issued."), cancellationToken);
        return new LinkInvitation(code, status.DeepLink(code), expiresAt);
    }

    /// <summary>Binds the sender's Telegram user id (never a chat id) to the user whose code it is.</summary>
    public async Task<LinkOutcome> LinkAsync(string code, long telegramUserId, string? telegramUserName, CancellationToken cancellationToken = default)
    {
        var who = $"telegram:{telegramUserId}";
        var userId = await codes.ConsumeAsync(code, cancellationToken);
        var user = userId is { } id ? await users.FindAsync(id, cancellationToken) : null;
        if (user is null || user.IsDisabled)
        {
            var detail = user is null ? "Unknown, used or expired linking code." : "The account is disabled.";
            await audit.AppendAsync(new AuditEvent(who, null, Channel.Telegram, "telegram.link", who, AuditOutcome.Denied, detail), cancellationToken);
            return new LinkOutcome(false, user is null
                ? "That code does not work: it is wrong, used or expired. Get a new one on your Profile page."
                : "That PortalOps account is disabled.");
        }

        try
        {
            await directory.LinkAsync(new ChatLink(user.Id, telegramUserId, telegramUserName, clock.GetUtcNow()), cancellationToken);
        }
        catch (DomainException ex)
        {
            await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Telegram, "telegram.link", who, AuditOutcome.Denied, ex.Message), cancellationToken);
            return new LinkOutcome(false, ex.Message);
        }
        catch (UserDirectoryUnavailableException ex)
        {
            // The code is used up by now: say so, rather than leave the person waiting on a link that was never saved.
            await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Telegram, "telegram.link", who, AuditOutcome.Failed, ex.Message), cancellationToken);
            return new LinkOutcome(false, "PortalOps cannot save the link right now: its user directory is temporarily unavailable. Get a new code on your Profile page and try again in a few minutes.");
        }

        var name = telegramUserName is null ? string.Empty : $" (@{telegramUserName})";
        await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Telegram, "telegram.link", who, AuditOutcome.Succeeded, $"Linked Telegram user {telegramUserId}{name}."), cancellationToken);
        return new LinkOutcome(true, "Linked.", user);
    }

    public async Task<bool> UnlinkAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var link = await directory.FindLinkAsync(actor.UserId, cancellationToken);
        var removed = await directory.UnlinkAsync(actor.UserId, cancellationToken);
        if (removed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "telegram.unlink", $"telegram:{link?.ChatUserId}", AuditOutcome.Succeeded, "Telegram account unlinked."), cancellationToken);
        }

        return removed;
    }
}
