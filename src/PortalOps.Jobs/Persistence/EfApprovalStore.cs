using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Approval requests with optimistic concurrency: an update is one conditional statement
/// (<c>UPDATE … WHERE Id = @id AND Version = @expected</c>), so of two nodes racing on one row exactly one wins.
/// Every change written is published (<see cref="IApprovalEvents"/>), so open pages on every node read again.
/// </summary>
public sealed class EfApprovalStore(IDbContextFactory<PortalDbContext> contexts, IApprovalEvents? events = null) : IApprovalStore
{
    private const int MaxListSize = 5000;

    public async Task AddAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Approvals.Add(ToRow(request));
        await db.SaveChangesAsync(cancellationToken);
        events?.Publish();
    }

    public async Task<ApprovalRequest?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Approvals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        return row is null ? null : ToRequest(row);
    }

    public async Task UpdateAsync(ApprovalRequest request, int expectedVersion, CancellationToken cancellationToken = default)
    {
        var row = ToRow(request);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Approvals
            .Where(a => a.Id == row.Id && a.Version == expectedVersion)
            .ExecuteUpdateAsync(
                set =>
                {
                    set.SetProperty(a => a.Status, row.Status);
                    set.SetProperty(a => a.DecidedBy, row.DecidedBy);
                    set.SetProperty(a => a.DecidedByName, row.DecidedByName);
                    set.SetProperty(a => a.DecidedVia, row.DecidedVia);
                    set.SetProperty(a => a.DecidedAt, row.DecidedAt);
                    set.SetProperty(a => a.DecisionReason, row.DecisionReason);
                    set.SetProperty(a => a.CompletedAt, row.CompletedAt);
                    set.SetProperty(a => a.ExecutionStartedAt, row.ExecutionStartedAt);
                    set.SetProperty(a => a.Outcome, row.Outcome);
                    set.SetProperty(a => a.Version, row.Version);
                },
                cancellationToken);
        if (updated == 1)
        {
            events?.Publish();
            return;
        }

        if (!await db.Approvals.AnyAsync(a => a.Id == row.Id, cancellationToken))
        {
            throw new DomainException($"Approval request {row.Id} does not exist.");
        }

        throw new ConcurrencyConflictException($"Approval request {row.Id} was changed by someone else first.");
    }

    public async Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Approvals.AsNoTracking();
        if (status is { } wanted)
        {
            query = query.Where(a => a.Status == wanted);
        }

        var rows = await query
            .OrderByDescending(a => a.CreatedAt)
            .ThenBy(a => a.Id)
            .Take(Math.Clamp(take, 1, MaxListSize))
            .ToListAsync(cancellationToken);
        return rows.Select(ToRequest).ToList();
    }

    public async Task<IReadOnlyList<ApprovalRequest>> ListDueForExpiryAsync(DateTimeOffset now, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Approvals.AsNoTracking()
            .Where(a => a.Status == ApprovalStatus.Pending && a.ExpiresAt <= now)
            .OrderBy(a => a.ExpiresAt)
            .ThenBy(a => a.Id)
            .Take(Math.Clamp(take, 1, MaxListSize))
            .ToListAsync(cancellationToken);
        return rows.Select(ToRequest).ToList();
    }

    public async Task<IReadOnlyList<ApprovalRequest>> ListApprovedSinceBeforeAsync(DateTimeOffset decidedBefore, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Approvals.AsNoTracking()
            .Where(a => a.Status == ApprovalStatus.Approved && a.DecidedAt <= decidedBefore)
            .OrderBy(a => a.DecidedAt)
            .ThenBy(a => a.Id)
            .Take(Math.Clamp(take, 1, MaxListSize))
            .ToListAsync(cancellationToken);
        return rows.Select(ToRequest).ToList();
    }

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Approvals.CountAsync(a => a.Status == ApprovalStatus.Pending, cancellationToken);
    }

    private static ApprovalRow ToRow(ApprovalRequest r) => new()
    {
        Id = r.Id,
        KindName = r.KindName,
        Targets = PersistenceJson.WriteTargets(r.Targets),
        Parameters = PersistenceJson.WriteParameters(r.Parameters),
        RequestedBy = r.RequestedBy,
        RequestedByName = r.RequestedByName,
        RequestedVia = r.RequestedVia,
        Rule = r.Rule,
        Reason = r.Reason,
        CreatedAt = r.CreatedAt,
        ExpiresAt = r.ExpiresAt,
        Status = r.Status,
        DecidedBy = r.DecidedBy,
        DecidedByName = r.DecidedByName,
        DecidedVia = r.DecidedVia,
        DecidedAt = r.DecidedAt,
        DecisionReason = r.DecisionReason,
        CompletedAt = r.CompletedAt,
        ExecutionStartedAt = r.ExecutionStartedAt,
        Outcome = r.Outcome,
        Version = r.Version,
    };

    private static ApprovalRequest ToRequest(ApprovalRow row) => ApprovalRequest.FromStore(
        row.Id, row.KindName, PersistenceJson.ReadTargets(row.Targets), PersistenceJson.ReadParameters(row.Parameters),
        row.RequestedBy, row.RequestedByName, row.RequestedVia, row.Rule, row.Reason,
        row.CreatedAt, row.ExpiresAt, row.Status,
        row.DecidedBy, row.DecidedByName, row.DecidedVia, row.DecidedAt, row.DecisionReason,
        row.CompletedAt, row.Outcome, row.Version, row.ExecutionStartedAt);
}
