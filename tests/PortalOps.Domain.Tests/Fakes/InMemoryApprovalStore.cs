using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;

namespace PortalOps.Domain.Tests.Fakes;

/// <summary>
/// Keeps copies of requests like a database keeps rows: a read hands out a fresh copy, and an update saves only
/// if the stored version is still the expected one (checked and written under one lock).
/// </summary>
internal sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ApprovalRequest> _rows = [];
    private int _conflicts;

    /// <summary>When set, every <see cref="FindAsync"/> waits here after reading, so that racing callers all read the same version.</summary>
    public AsyncGate? ReadGate { get; set; }

    public int Conflicts => Volatile.Read(ref _conflicts);

    public Task AddAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_rows.TryAdd(request.Id, Copy(request)))
            {
                throw new InvalidOperationException($"Approval request {request.Id} already exists.");
            }
        }

        return Task.CompletedTask;
    }

    public async Task<ApprovalRequest?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        ApprovalRequest? copy;
        lock (_lock)
        {
            copy = _rows.TryGetValue(id, out var row) ? Copy(row) : null;
        }

        if (ReadGate is { } gate)
        {
            await gate.ArriveAndWaitAsync(cancellationToken);
        }

        return copy;
    }

    /// <summary>The stored row, for assertions.</summary>
    public ApprovalRequest Get(Guid id)
    {
        lock (_lock)
        {
            return Copy(_rows[id]);
        }
    }

    public Task UpdateAsync(ApprovalRequest request, int expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_rows.TryGetValue(request.Id, out var stored) || stored.Version != expectedVersion)
            {
                _conflicts++;
                throw new ConcurrencyConflictException($"Approval request {request.Id} changed since version {expectedVersion}.");
            }

            _rows[request.Id] = Copy(request);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, int take, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ApprovalRequest> list = _rows.Values
                .Where(r => status is null || r.Status == status)
                .OrderBy(r => r.CreatedAt)
                .Take(take)
                .Select(Copy)
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<IReadOnlyList<ApprovalRequest>> ListDueForExpiryAsync(DateTimeOffset now, int take, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ApprovalRequest> list = _rows.Values
                .Where(r => r.Status == ApprovalStatus.Pending && r.ExpiresAt <= now)
                .OrderBy(r => r.ExpiresAt)
                .ThenBy(r => r.Id)
                .Take(take)
                .Select(Copy)
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<IReadOnlyList<ApprovalRequest>> ListApprovedSinceBeforeAsync(DateTimeOffset decidedBefore, int take, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ApprovalRequest> list = _rows.Values
                .Where(r => r.Status == ApprovalStatus.Approved && r.DecidedAt <= decidedBefore)
                .OrderBy(r => r.DecidedAt)
                .Take(take)
                .Select(Copy)
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<int> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.Values.Count(r => r.Status == ApprovalStatus.Pending));
        }
    }

    private static ApprovalRequest Copy(ApprovalRequest r) =>
        ApprovalRequest.FromStore(
            r.Id, r.KindName, r.Targets.ToList(), new Dictionary<string, string>(r.Parameters), r.RequestedBy, r.RequestedByName, r.RequestedVia,
            r.Rule, r.Reason, r.CreatedAt, r.ExpiresAt, r.Status, r.DecidedBy, r.DecidedByName, r.DecidedVia, r.DecidedAt, r.DecisionReason,
            r.CompletedAt, r.Outcome, r.Version, r.ExecutionStartedAt);
}
