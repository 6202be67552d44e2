using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>An in-memory web inbox.</summary>
public sealed class FakeInbox : IInbox
{
    private readonly List<InboxItem> _items = [];

    public InboxItem Add(Guid userId, NotificationKind kind, string title, string body, DateTimeOffset at, Guid? approvalId = null, Guid? alertId = null)
    {
        var item = new InboxItem(Guid.NewGuid(), userId, kind, title, body, approvalId, at, null) { AlertId = alertId };
        lock (_items)
        {
            _items.Add(item);
        }

        return item;
    }

    public Task<Page<InboxItem>> ListAsync(Guid userId, bool unreadOnly, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        lock (_items)
        {
            var mine = _items.Where(i => i.UserId == userId && (!unreadOnly || !i.IsRead)).OrderByDescending(i => i.CreatedAt).ToList();
            return Task.FromResult(new Page<InboxItem>(mine.Skip(pageIndex * pageSize).Take(pageSize).ToList(), mine.Count, pageIndex, pageSize));
        }
    }

    public Task<int> CountUnreadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        lock (_items)
        {
            return Task.FromResult(_items.Count(i => i.UserId == userId && !i.IsRead));
        }
    }

    public Task<bool> MarkReadAsync(Guid userId, Guid itemId, CancellationToken cancellationToken = default)
    {
        lock (_items)
        {
            var index = _items.FindIndex(i => i.Id == itemId && i.UserId == userId && !i.IsRead);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            _items[index] = _items[index] with { ReadAt = _items[index].CreatedAt };
            return Task.FromResult(true);
        }
    }

    public Task<int> MarkAllReadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        lock (_items)
        {
            var count = 0;
            for (var i = 0; i < _items.Count; i++)
            {
                if (_items[i].UserId == userId && !_items[i].IsRead)
                {
                    _items[i] = _items[i] with { ReadAt = _items[i].CreatedAt };
                    count++;
                }
            }

            return Task.FromResult(count);
        }
    }
}
