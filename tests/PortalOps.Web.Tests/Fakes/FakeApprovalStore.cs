using System.Collections.Concurrent;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Approval requests in memory with the same optimistic concurrency as the real store: a save wins only over the version it read.</summary>
public sealed class FakeApprovalStore : IApprovalStore
{
    private readonly ConcurrentDictionary<Guid, ApprovalRequest> _requests = new();
    private readonly Lock _gate = new();

    public ApprovalRequest? Get(Guid id) => _requests.TryGetValue(id, out var r) ? Copy(r) : null;

    public IReadOnlyList<ApprovalRequest> All => _requests.Values.Select(Copy).ToList();

    public Task AddAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        if (!_requests.TryAdd(request.Id, Copy(request)))
        {
            throw new InvalidOperationException($"Approval {request.Id} exists.");
        }

        return Task.CompletedTask;
    }

    public Task<ApprovalRequest?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Get(id));

    public Task UpdateAsync(ApprovalRequest request, int expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_requests.TryGetValue(request.Id, out var stored) || stored.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException($"Approval request {request.Id} changed since it was read.");
            }

            _requests[request.Id] = Copy(request);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, int take, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ApprovalRequest>>(_requests.Values
            .Where(r => status is null || r.Status == status)
            .OrderByDescending(r => r.CreatedAt)
            .Take(take)
            .Select(Copy)
            .ToList());

    public Task<IReadOnlyList<ApprovalRequest>> ListDueForExpiryAsync(DateTimeOffset now, int take, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ApprovalRequest>>(_requests.Values
            .Where(r => r.Status == ApprovalStatus.Pending && r.ExpiresAt <= now)
            .OrderBy(r => r.ExpiresAt)
            .Take(take)
            .Select(Copy)
            .ToList());

    public Task<IReadOnlyList<ApprovalRequest>> ListApprovedSinceBeforeAsync(DateTimeOffset decidedBefore, int take, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ApprovalRequest>>(_requests.Values
            .Where(r => r.Status == ApprovalStatus.Approved && r.DecidedAt <= decidedBefore)
            .OrderBy(r => r.DecidedAt)
            .Take(take)
            .Select(Copy)
            .ToList());

    public Task<int> CountPendingAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_requests.Values.Count(r => r.Status == ApprovalStatus.Pending));

    private static ApprovalRequest Copy(ApprovalRequest r) =>
        ApprovalRequest.FromStore(
            r.Id, r.KindName, r.Targets.ToList(), new Dictionary<string, string>(r.Parameters), r.RequestedBy, r.RequestedByName, r.RequestedVia, r.Rule, r.Reason,
            r.CreatedAt, r.ExpiresAt, r.Status, r.DecidedBy, r.DecidedByName, r.DecidedVia, r.DecidedAt, r.DecisionReason, r.CompletedAt, r.Outcome, r.Version, r.ExecutionStartedAt);
}
