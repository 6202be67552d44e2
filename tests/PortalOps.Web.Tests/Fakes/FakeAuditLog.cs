using System.Runtime.CompilerServices;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>An audit log in memory, chained with <see cref="AuditChain.Link"/> like the real one; it remembers every query it was asked.</summary>
public sealed class FakeAuditLog(TimeProvider clock) : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    private readonly List<AuditQuery> _queries = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<AuditRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return _records.ToList();
            }
        }
    }

    public IReadOnlyList<AuditQuery> Queries
    {
        get
        {
            lock (_gate)
            {
                return _queries.ToList();
            }
        }
    }

    public IEnumerable<AuditEvent> Events(string action) => Records.Select(r => r.Event).Where(e => e.Action == action);

    public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var previous = _records.Count == 0 ? AuditChain.Genesis : _records[^1].Hash;
            var record = AuditChain.Link(_records.Count + 1, clock.GetUtcNow(), auditEvent, previous);
            _records.Add(record);
            return Task.FromResult(record);
        }
    }

    /// <summary>Changes a stored record's content without fixing its hash, as someone editing the database would.</summary>
    public void Tamper(long sequence, Func<AuditEvent, AuditEvent> change)
    {
        lock (_gate)
        {
            var index = _records.FindIndex(r => r.Sequence == sequence);
            _records[index] = _records[index] with { Event = change(_records[index].Event) };
        }
    }

    public Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        List<AuditRecord> matching;
        lock (_gate)
        {
            _queries.Add(query);
            matching = _records.Where(r => Matches(query, r)).OrderByDescending(r => r.Sequence).ToList();
        }

        var items = matching.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList();
        return Task.FromResult(new Page<AuditRecord>(items, matching.Count, query.PageIndex, query.PageSize));
    }

    public async IAsyncEnumerable<AuditRecord> StreamAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var record in Records.Where(r => Matches(query, r)))
        {
            await Task.Yield();
            yield return record;
        }
    }

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var record in Records)
        {
            await Task.Yield();
            yield return record;
        }
    }

    private static bool Matches(AuditQuery q, AuditRecord r)
    {
        var e = r.Event;
        return (q.VisibleTo is null || q.VisibleTo.Allows(e.Where, e.ActorId))
            && (q.Text is null || new[] { e.Target, e.Detail, e.Action, e.ActorName, e.AwsRequestId }.Any(v => v?.Contains(q.Text, StringComparison.OrdinalIgnoreCase) == true))
            && (q.Actor is null || e.ActorName.Contains(q.Actor, StringComparison.OrdinalIgnoreCase))
            && (q.Action is null || e.Action.StartsWith(q.Action, StringComparison.OrdinalIgnoreCase))
            && (q.Outcome is null || e.Outcome == q.Outcome)
            && (q.Channel is null || e.Channel == q.Channel)
            && (q.From is null || r.At >= q.From)
            && (q.To is null || r.At <= q.To)
            && (q.Target is null || e.Target.Contains(q.Target, StringComparison.OrdinalIgnoreCase));
    }
}
