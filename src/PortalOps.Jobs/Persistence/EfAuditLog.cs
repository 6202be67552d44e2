using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// The append-only, hash-chained audit log. There is deliberately no update or delete. Each record's hash is an HMAC with the
/// <see cref="AuditKey"/> (kept outside the database), and each append also signs the chain's new end into the anchor row,
/// in the same transaction, so a rewritten record or a cut tail shows up in <see cref="AuditChain.VerifyAsync(IAsyncEnumerable{AuditRecord}, AuditKey?, AuditAnchor?, AuditAnchor?, IProgress{long}?, CancellationToken)"/>.
/// Appends are serialised so that each record links to the one before it:
/// on PostgreSQL by a transaction-scoped advisory lock (safe across nodes), on SQLite by an in-process gate
/// plus an immediate (write-locking) transaction, with a retry should a sequence number still collide.
/// </summary>
public sealed class EfAuditLog(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, AuditKey key) : IAuditLog
{
    public const int MaxPageSize = 500;

    /// <summary>The advisory-lock key PostgreSQL appenders share ("PortalOps audit" as a number).</summary>
    internal const long PostgresAppendLockKey = 0x504F_4155_4449_5431;

    private const int MaxAttempts = 5;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteGates = new(StringComparer.Ordinal);

    public async Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(auditEvent, cancellationToken);
            }
            catch (Exception ex) when (attempt < MaxAttempts && ex is DbUpdateException or DbException && DatabaseErrors.IsUniqueViolation(ex))
            {
                // Another writer took this sequence number first (only possible across SQLite processes); read the new end and retry.
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), cancellationToken);
            }
        }
    }

    public async Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var index = Math.Max(0, query.PageIndex);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var filtered = Filter(db.AuditLog.AsNoTracking(), query);
        var total = await filtered.CountAsync(cancellationToken);
        var rows = await filtered
            .OrderByDescending(r => r.Sequence)
            .Skip(PageOffset(index, size))
            .Take(size)
            .ToListAsync(cancellationToken);
        return new Page<AuditRecord>(rows.Select(ToRecord).ToList(), total, index, size);
    }

    public async IAsyncEnumerable<AuditRecord> StreamAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = Filter(db.AuditLog.AsNoTracking(), query).OrderBy(r => r.Sequence).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return ToRecord(row);
        }
    }

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await foreach (var row in db.AuditLog.AsNoTracking().OrderBy(r => r.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return ToRecord(row);
        }
    }

    /// <summary>The signed end of the chain, as the last append left it; null before the first keyed append.</summary>
    public async Task<AuditAnchor?> ReadAnchorAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.AuditAnchors.AsNoTracking().SingleOrDefaultAsync(a => a.Id == AuditAnchorRow.SingletonId, cancellationToken);
        return row is null ? null : new AuditAnchor(row.Sequence, row.Hash, row.KeyId, row.Mac);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AuditLog.LongCountAsync(cancellationToken);
    }

    // In long: a large page index times the page size would overflow int and wrap back to the first page.
    private static int PageOffset(int index, int size) => (int)Math.Min((long)index * size, int.MaxValue);

    /// <summary>PostgreSQL keeps microseconds; the instant is cut to that before hashing so a stored record verifies on every provider.</summary>
    internal static DateTimeOffset ToStoredPrecision(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    private async Task<AuditRecord> AppendOnceAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var gate = db.Provider == DatabaseProvider.Sqlite
            ? SqliteGates.GetOrAdd(db.Database.GetConnectionString() ?? string.Empty, _ => new SemaphoreSlim(1, 1))
            : null;
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }

        try
        {
            // On SQLite, Serializable is BEGIN IMMEDIATE: the write lock is held from the read of the last record to the commit,
            // which also keeps appenders in other processes out. On PostgreSQL the advisory lock below does that.
            await using var transaction = db.Provider == DatabaseProvider.Sqlite
                ? await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken)
                : await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Provider == DatabaseProvider.Postgres)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgresAppendLockKey})", cancellationToken);
            }

            var last = await db.AuditLog
                .OrderByDescending(r => r.Sequence)
                .Select(r => new { r.Sequence, r.Hash })
                .FirstOrDefaultAsync(cancellationToken);
            var record = AuditChain.Link(
                (last?.Sequence ?? 0) + 1,
                ToStoredPrecision(clock.GetUtcNow()),
                auditEvent,
                last?.Hash ?? AuditChain.Genesis,
                key);
            db.AuditLog.Add(ToRow(record));
            var signed = AuditAnchor.Sign(key, record.Sequence, record.Hash);
            var anchor = await db.AuditAnchors.SingleOrDefaultAsync(a => a.Id == AuditAnchorRow.SingletonId, cancellationToken);
            if (anchor is null)
            {
                db.AuditAnchors.Add(new AuditAnchorRow { Sequence = signed.Sequence, Hash = signed.Hash, KeyId = signed.KeyId, Mac = signed.Mac });
            }
            else
            {
                (anchor.Sequence, anchor.Hash, anchor.KeyId, anchor.Mac) = (signed.Sequence, signed.Hash, signed.KeyId, signed.Mac);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return record;
        }
        finally
        {
            gate?.Release();
        }
    }

    private static IQueryable<AuditRow> Filter(IQueryable<AuditRow> rows, AuditQuery query)
    {
        rows = rows.Visible(query.VisibleTo, nameof(AuditRow.ActorId));
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLowerInvariant();
            rows = rows.Where(r =>
                r.Action.ToLower().Contains(text)
                || r.Target.ToLower().Contains(text)
                || r.ActorName.ToLower().Contains(text)
                || (r.Detail != null && r.Detail.ToLower().Contains(text))
                || (r.AwsRequestId != null && r.AwsRequestId.ToLower().Contains(text)));
        }

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim().ToLowerInvariant();
            rows = rows.Where(r => r.ActorName.ToLower().Contains(actor));
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            // "approval." finds every approval action; "instances.stop" finds exactly that one.
            var action = query.Action.Trim().ToLowerInvariant();
            rows = rows.Where(r => r.Action.ToLower().StartsWith(action));
        }

        if (!string.IsNullOrWhiteSpace(query.Target))
        {
            var target = query.Target.Trim().ToLowerInvariant();
            rows = rows.Where(r => r.Target.ToLower().Contains(target));
        }

        if (query.Outcome is { } outcome)
        {
            rows = rows.Where(r => r.Outcome == outcome);
        }

        if (query.Channel is { } channel)
        {
            rows = rows.Where(r => r.Channel == channel);
        }

        if (query.From is { } from)
        {
            rows = rows.Where(r => r.At >= from);
        }

        if (query.To is { } to)
        {
            rows = rows.Where(r => r.At < to);
        }

        return rows;
    }

    private static AuditRow ToRow(AuditRecord record)
    {
        var (account, region, tags) = FootprintFilter.Columns(record.Event.Where);
        var row = ToChainRow(record);
        row.FootprintAccount = account;
        row.FootprintRegion = region;
        row.FootprintTags = tags;
        return row;
    }

    private static AuditRow ToChainRow(AuditRecord record) => new()
    {
        Sequence = record.Sequence,
        At = record.At,
        ActorName = record.Event.ActorName,
        ActorId = record.Event.ActorId,
        Channel = record.Event.Channel,
        Action = record.Event.Action,
        Target = record.Event.Target,
        Outcome = record.Event.Outcome,
        Detail = record.Event.Detail,
        Parameters = record.Event.Parameters,
        AwsRequestId = record.Event.AwsRequestId,
        PreviousHash = record.PreviousHash,
        Hash = record.Hash,
        KeyId = record.KeyId,
    };

    private static AuditRecord ToRecord(AuditRow row) => new(
        row.Sequence,
        row.At,
        new AuditEvent(row.ActorName, row.ActorId, row.Channel, row.Action, row.Target, row.Outcome, row.Detail, row.Parameters, row.AwsRequestId)
        {
            Where = FootprintFilter.Read(row.FootprintAccount, row.FootprintRegion, row.FootprintTags),
        },
        row.PreviousHash,
        row.Hash)
    {
        KeyId = row.KeyId,
    };
}
