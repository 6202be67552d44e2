using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>An idempotency key as recorded: claimed when an action starts, with its outcome once it has run.</summary>
public sealed record LedgerEntry(string Key, string KindName, DateTimeOffset ClaimedAt, DateTimeOffset? CompletedAt, bool? Succeeded, string? Summary, string? RequestId)
{
    public bool IsCompleted => CompletedAt is not null;

    /// <summary>When the process carrying the action out last said it was still at it (null: never since the claim).</summary>
    public DateTimeOffset? AliveAt { get; init; }

    /// <summary>The last sign of life of the action's process: its latest heartbeat, else its claim.</summary>
    public DateTimeOffset LastSeen => AliveAt is { } alive && alive > ClaimedAt ? alive : ClaimedAt;

    /// <summary>Instances the action made (a launch), so a repeat answers with the same ones.</summary>
    public IReadOnlyList<InstanceRef> Created { get; init; } = [];
}

/// <summary>
/// The durable record of every idempotency key an action ran with. The pipeline claims a key before it calls a port and records
/// the outcome after, so a retried or duplicated job — on any node, after any restart — never reboots, scales or runs a document
/// twice: a key claimed before gets the recorded outcome (or "already under way") instead of a second call.
/// </summary>
public interface IActionLedger
{
    /// <summary>Claims <paramref name="key"/>: null when this caller is the first (go ahead), else the entry of whoever claimed it first.</summary>
    Task<LedgerEntry?> TryClaimAsync(string key, string kindName, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Records the outcome of a claimed key.</summary>
    Task CompleteAsync(string key, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The entry of <paramref name="key"/>, or null when it was never claimed.</summary>
    Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>A heartbeat of the process carrying the action out: sets <see cref="LedgerEntry.AliveAt"/> while the key is not completed.</summary>
    Task RenewAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes <paramref name="key"/> with <paramref name="execution"/> only if it is still not completed and its last sign of life
    /// is before <paramref name="seenBefore"/> (its process stopped): true when this call did it, false when the action finished or
    /// beat meanwhile — a conditional update, so of a sweeper and a late heartbeat exactly one wins.
    /// </summary>
    Task<bool> TryAbandonAsync(string key, DateTimeOffset seenBefore, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default);
}
