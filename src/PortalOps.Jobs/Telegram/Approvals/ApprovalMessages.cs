using Microsoft.EntityFrameworkCore;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Approvals;

/// <summary>Where each approval request was shown in Telegram (chat and message id), so every copy can be edited after the decision.</summary>
public sealed class ApprovalMessages(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task AddAsync(Guid approvalId, long chatId, int messageId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TelegramApprovalMessages.Add(new TelegramApprovalMessageRow
        {
            Id = Guid.CreateVersion7(now),
            ApprovalId = approvalId,
            ChatId = chatId,
            MessageId = messageId,
            SentAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<(long ChatId, int MessageId)>> ListAsync(Guid approvalId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TelegramApprovalMessages.AsNoTracking()
            .Where(m => m.ApprovalId == approvalId)
            .OrderBy(m => m.SentAt)
            .Select(m => new { m.ChatId, m.MessageId })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.ChatId, r.MessageId)).Distinct().ToList();
    }
}
