using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>Where a message or a press came from: the chat, and the person (by <c>from.id</c>) with their portal account if linked.</summary>
internal sealed record BotChat(long ChatId, ChatType ChatType, User From, PortalUser? User)
{
    public bool IsGroup => ChatType is ChatType.Group or ChatType.Supergroup;

    /// <summary>Buttons in a private chat are for its owner alone; in a group, whoever presses is judged on their own rights.</summary>
    public long? ButtonOwner => IsGroup ? null : From.Id;

    public bool IsLinked => User is { IsDisabled: false };

    public Actor Actor => User is { IsDisabled: false } user ? user.AsActor(Channel.Telegram) : throw new DomainException("Not linked.");

    /// <summary>An audit event in this person's name (a linked user, or the bare Telegram id).</summary>
    public AuditEvent Audit(string action, string target, AuditOutcome outcome, string? detail = null) =>
        User is { } user
            ? new AuditEvent(user.UserName, user.Id, Channel.Telegram, action, target, outcome, detail)
            : new AuditEvent($"telegram:{From.Id}", null, Channel.Telegram, action, target, outcome, detail);
}
