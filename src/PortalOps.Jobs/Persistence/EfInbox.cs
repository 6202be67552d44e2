using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;

namespace PortalOps.Jobs.Persistence;

/// <summary>Each person's web inbox, newest first.</summary>
public sealed class EfInbox(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock) : IInbox
{
    public const int MaxPageSize = 200;

    public async Task<Page<InboxItem>> ListAsync(Guid userId, bool unreadOnly, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(pageSize, 1, MaxPageSize);
        var index = Math.Max(0, pageIndex);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Inbox.AsNoTracking().Where(n => n.UserId == userId);
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderByDescending(n => n.CreatedAt)
            .ThenByDescending(n => n.Id)
            .Skip(PageOffset(index, size))
            .Take(size)
            .ToListAsync(cancellationToken);
        return new Page<InboxItem>(rows.Select(ToItem).ToList(), total, index, size);
    }

    public async Task<int> CountUnreadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Inbox.CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);
    }

    public async Task<bool> MarkReadAsync(Guid userId, Guid itemId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Inbox
            .Where(n => n.Id == itemId && n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.ReadAt, now), cancellationToken);
        return updated == 1;
    }

    public async Task<int> MarkAllReadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Inbox
            .Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.ReadAt, now), cancellationToken);
    }

    // In long: a large page index times the page size would overflow int and wrap back to the first page.
    private static int PageOffset(int index, int size) => (int)Math.Min((long)index * size, int.MaxValue);

    private static InboxItem ToItem(InboxRow row) =>
        new(row.Id, row.UserId, row.Kind, row.Title, row.Body, row.ApprovalId, row.CreatedAt, row.ReadAt) { AlertId = row.AlertId };
}
