using System.Runtime.CompilerServices;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;

namespace PortalOps.Domain.Tests.Fakes;

/// <summary>An append-only list chained with <see cref="AuditChain.Link"/>, as the real log chains its rows.</summary>
internal sealed class InMemoryAuditLog(TimeProvider clock) : IAuditLog
{
    private readonly Lock _lock = new();
    private readonly List<AuditRecord> _records = [];

    public IReadOnlyList<AuditRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return _records.ToList();
            }
        }
    }

    public IReadOnlyList<AuditEvent> Events => Records.Select(r => r.Event).ToList();

    /// <summary>Appends of events matching this throw, as a database that is down would.</summary>
    public Func<AuditEvent, bool>? FailWhen { get; set; }

    public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (FailWhen?.Invoke(auditEvent) == true)
        {
            throw new InvalidOperationException("The audit log is unavailable.");
        }

        lock (_lock)
        {
            var previous = _records.Count == 0 ? AuditChain.Genesis : _records[^1].Hash;
            var record = AuditChain.Link(_records.Count + 1, clock.GetUtcNow(), auditEvent, previous);
            _records.Add(record);
            return Task.FromResult(record);
        }
    }

    public Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var matching = Records.Where(r => Matches(query, r)).OrderByDescending(r => r.Sequence).ToList();
        var size = Math.Max(1, query.PageSize);
        var items = matching.Skip(Math.Max(0, query.PageIndex) * size).Take(size).ToList();
        return Task.FromResult(new Page<AuditRecord>(items, matching.Count, query.PageIndex, size));
    }

    public async IAsyncEnumerable<AuditRecord> StreamAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var record in Records.Where(r => Matches(query, r)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return record;
        }
    }

    public IAsyncEnumerable<AuditRecord> ReadChainAsync(CancellationToken cancellationToken = default) =>
        StreamAsync(new AuditQuery(), cancellationToken);

    private static bool Matches(AuditQuery q, AuditRecord r) =>
        (q.Action is null || r.Event.Action == q.Action)
        && (q.Actor is null || r.Event.ActorName == q.Actor)
        && (q.Outcome is null || r.Event.Outcome == q.Outcome)
        && (q.Channel is null || r.Event.Channel == q.Channel)
        && (q.Target is null || r.Event.Target.Contains(q.Target, StringComparison.OrdinalIgnoreCase))
        && (q.From is null || r.At >= q.From)
        && (q.To is null || r.At <= q.To)
        && (q.Text is null || (r.Event.Detail?.Contains(q.Text, StringComparison.OrdinalIgnoreCase) ?? false));
}
