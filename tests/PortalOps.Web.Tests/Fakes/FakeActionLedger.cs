using System.Collections.Concurrent;
using PortalOps.Domain.Actions;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>The idempotency ledger as a dictionary: a key is claimed once, like the primary key of the table.</summary>
public sealed class FakeActionLedger : IActionLedger
{
    private readonly ConcurrentDictionary<string, LedgerEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, LedgerEntry> Entries => _entries;

    public Task<LedgerEntry?> TryClaimAsync(string key, string kindName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var claim = new LedgerEntry(key, kindName, now, null, null, null, null);
        var stored = _entries.GetOrAdd(key, claim);
        return Task.FromResult(ReferenceEquals(stored, claim) ? null : stored);
    }

    public Task CompleteAsync(string key, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        _entries.AddOrUpdate(key, k => new LedgerEntry(k, string.Empty, now, now, execution.Succeeded, execution.Summary, execution.RequestId) { Created = execution.Created },
            (_, e) => e with { CompletedAt = now, Succeeded = execution.Succeeded, Summary = execution.Summary, RequestId = execution.RequestId, Created = execution.Created });
        return Task.CompletedTask;
    }

    public Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.TryGetValue(key, out var entry) ? entry : null);

    public Task RenewAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var e) && !e.IsCompleted)
            {
                _entries[key] = e with { AliveAt = now };
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryAbandonAsync(string key, DateTimeOffset seenBefore, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var e) || e.IsCompleted || e.LastSeen >= seenBefore)
            {
                return Task.FromResult(false);
            }

            _entries[key] = e with { CompletedAt = now, Succeeded = execution.Succeeded, Summary = execution.Summary, RequestId = execution.RequestId };
            return Task.FromResult(true);
        }
    }
}
