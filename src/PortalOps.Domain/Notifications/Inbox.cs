using PortalOps.Domain.Common;

namespace PortalOps.Domain.Notifications;

/// <summary>One notification as it waits in a person's web inbox.</summary>
public sealed record InboxItem(
    Guid Id,
    Guid UserId,
    NotificationKind Kind,
    string Title,
    string Body,
    Guid? ApprovalId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt)
{
    public bool IsRead => ReadAt is not null;

    /// <summary>The alert this item tells about, if any.</summary>
    public Guid? AlertId { get; init; }
}

/// <summary>Each person's web inbox: what the notifier delivered to them, newest first.</summary>
public interface IInbox
{
    Task<Page<InboxItem>> ListAsync(Guid userId, bool unreadOnly, int pageIndex, int pageSize, CancellationToken cancellationToken = default);

    Task<int> CountUnreadAsync(Guid userId, CancellationToken cancellationToken = default);

    /// <summary>Marks one item read; false when the user has no such unread item.</summary>
    Task<bool> MarkReadAsync(Guid userId, Guid itemId, CancellationToken cancellationToken = default);

    /// <summary>Marks every unread item of the user read and returns how many there were.</summary>
    Task<int> MarkAllReadAsync(Guid userId, CancellationToken cancellationToken = default);
}
