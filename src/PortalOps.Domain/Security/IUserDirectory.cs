namespace PortalOps.Domain.Security;

/// <summary>A portal user's link to a chat account: the chat service's own user id (never a chat id), bound once by a one-time code.</summary>
public sealed record ChatLink(Guid UserId, long ChatUserId, string? ChatUserName, DateTimeOffset LinkedAt);

/// <summary>
/// Who a chat user is and what they may do. The rights always come from the portal's user store, so a role or scope
/// change applies at the next message; where the links themselves are kept (the portal database, or DynamoDB) is the implementation's business.
/// Every method throws <see cref="UserDirectoryUnavailableException"/> when that store cannot answer now; a stored link that cannot be
/// read is refused (treated as no link) and logged, never trusted.
/// </summary>
public interface IUserDirectory
{
    /// <summary>The portal user linked to this chat user, or null when nobody is (an unbound sender).</summary>
    Task<PortalUser?> FindByChatUserAsync(long chatUserId, CancellationToken cancellationToken = default);

    /// <summary>The link of one portal user, or null.</summary>
    Task<ChatLink?> FindLinkAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>The links of these portal users (those who have one).</summary>
    Task<IReadOnlyList<ChatLink>> FindLinksAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Links a chat user to a portal user, replacing the portal user's earlier link. Throws <see cref="Common.DomainException"/>
    /// when the chat user is already linked to someone else.
    /// </summary>
    Task LinkAsync(ChatLink link, CancellationToken cancellationToken = default);

    /// <summary>Removes the portal user's link; false when there was none.</summary>
    Task<bool> UnlinkAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Whether the store answers and is set up as expected, for the admin page; never throws.</summary>
    Task<UserDirectoryHealth> CheckAsync(CancellationToken cancellationToken = default);
}
