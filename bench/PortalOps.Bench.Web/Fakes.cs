using System.Runtime.CompilerServices;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Bench.Web;

/// <summary>The inventory, counting queries so the benchmark knows when the grid has asked for (and rendered) its page.</summary>
internal sealed class CountingInventory(IInventory inner) : IInventory
{
    private int _queries;

    public int Queries => Volatile.Read(ref _queries);

    public async Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        var page = await inner.QueryAsync(query, cancellationToken);
        Interlocked.Increment(ref _queries);
        return page;
    }

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default) => inner.FindAsync(instance, cancellationToken);

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default) => inner.SummarizeAsync(visibleTo, cancellationToken);
}

internal sealed class BenchUsers(PortalUser user) : IUserStore
{
    public Task<PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(id == user.Id ? user : null);

    public Task<PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default) => Task.FromResult<PortalUser?>(user);

    public Task<PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default) => Task.FromResult<PortalUser?>(null);

    public Task<IReadOnlyList<PortalUser>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<PortalUser>>([user]);

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(1);

    public Task AddAsync(PortalUser added, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task UpdateAsync(PortalUser updated, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default) => Task.FromResult(true);
}

/// <summary>Stores and peers the page needs to exist but the benchmark never calls (no action is submitted).</summary>
internal sealed class NoStores : IApprovalStore, IAuditLog, INotifier, IActionScheduler, IApprovalPolicyProvider, IActionLedger
{
    public static NoStores Instance { get; } = new();

    public Task AddAsync(ApprovalRequest request, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<ApprovalRequest?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult<ApprovalRequest?>(null);

    public Task UpdateAsync(ApprovalRequest request, int expectedVersion, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, int take, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ApprovalRequest>>([]);

    public Task<int> CountPendingAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);

    public Task<LedgerEntry?> TryClaimAsync(string key, string kindName, DateTimeOffset now, CancellationToken cancellationToken = default) => Task.FromResult<LedgerEntry?>(null);

    public Task CompleteAsync(string key, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult<LedgerEntry?>(null);

    public Task RenewAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<bool> TryAbandonAsync(string key, DateTimeOffset seenBefore, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default) => Task.FromResult(false);

    public Task<IReadOnlyList<ApprovalRequest>> ListDueForExpiryAsync(DateTimeOffset now, int take, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ApprovalRequest>>([]);

    public Task<IReadOnlyList<ApprovalRequest>> ListApprovedSinceBeforeAsync(DateTimeOffset decidedBefore, int take, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ApprovalRequest>>([]);

    public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) =>
        Task.FromResult(AuditChain.Link(1, DateTimeOffset.UtcNow, auditEvent, AuditChain.Genesis));

    public Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Page<AuditRecord>.Empty());

    public async IAsyncEnumerable<AuditRecord> StreamAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public void EnqueueApproved(Guid approvalId)
    {
    }

    public Task<ApprovalPolicy> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(ApprovalPolicy.Default);
}
