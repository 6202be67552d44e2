using System.Security.Cryptography;
using System.Text;
using PortalOps.Domain.Common;

namespace PortalOps.Domain.Audit;

public enum AuditOutcome
{
    Succeeded,
    Failed,
    Denied,
    Pending,
}

/// <summary>What happened, before it is placed in the chain.</summary>
public sealed record AuditEvent(
    string ActorName,
    Guid? ActorId,
    Channel Channel,
    string Action,
    string Target,
    AuditOutcome Outcome,
    string? Detail = null,
    string? Parameters = null,
    string? AwsRequestId = null)
{
    /// <summary>
    /// Where the record's targets lie (null: it touches no resource — logins, users, settings). Decides who may read the record
    /// (<see cref="Actions.Authorizer.AuditReadScopeOf"/>); stored beside it, outside the hashed content.
    /// </summary>
    public Security.Footprint? Where { get; init; }
}

/// <summary>An event as stored: numbered, timed and chained to the one before it by hash.</summary>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset At,
    AuditEvent Event,
    string PreviousHash,
    string Hash)
{
    /// <summary>The <see cref="AuditKey.Id"/> of the key whose HMAC <see cref="Hash"/> is; null for a record written before the log was keyed (plain SHA-256).</summary>
    public string? KeyId { get; init; }
}

/// <summary>
/// The tamper-evident chain: each record's hash covers its content and the previous record's hash. Records are keyed —
/// the hash is an HMAC-SHA256 with an <see cref="AuditKey"/> held outside the database — so rewriting a record and re-hashing
/// everything after it needs the key; a signed <see cref="AuditAnchor"/> of the end makes a cut tail visible too.
/// Records written before the log was keyed carry a plain SHA-256 and are accepted only as the chain's beginning: the first
/// keyed record's HMAC covers the last of them, so they cannot be rewritten unnoticed once a keyed record follows.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The plain SHA-256 of a record (records written before the log was keyed; in-memory logs in tests).</summary>
    public static string ComputeHash(long sequence, DateTimeOffset at, AuditEvent e, string previousHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(sequence, at, e, previousHash))));

    /// <summary>The keyed hash (HMAC-SHA256) of a record.</summary>
    public static string ComputeHash(long sequence, DateTimeOffset at, AuditEvent e, string previousHash, AuditKey key) =>
        key.Mac(Canonical(sequence, at, e, previousHash));

    public static AuditRecord Link(long sequence, DateTimeOffset at, AuditEvent e, string previousHash) =>
        new(sequence, at, e, previousHash, ComputeHash(sequence, at, e, previousHash));

    public static AuditRecord Link(long sequence, DateTimeOffset at, AuditEvent e, string previousHash, AuditKey key) =>
        new(sequence, at, e, previousHash, ComputeHash(sequence, at, e, previousHash, key)) { KeyId = key.Id };

    /// <summary>Walks the chain in order and reports the first record whose link or content does not hold (plain hashes only).</summary>
    public static Task<ChainVerification> VerifyAsync(IAsyncEnumerable<AuditRecord> records, CancellationToken cancellationToken = default) =>
        VerifyAsync(records, key: null, anchor: null, checkpoint: null, progress: null, cancellationToken);

    /// <summary>
    /// Walks the chain in order and reports the first record whose link or content does not hold, checking keyed records with
    /// <paramref name="key"/>; then checks that the chain still reaches, with the same hashes, the signed <paramref name="anchor"/>
    /// kept beside the log and the <paramref name="checkpoint"/> exported by an earlier verification (a cut tail fails here).
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(
        IAsyncEnumerable<AuditRecord> records, AuditKey? key, AuditAnchor? anchor, AuditAnchor? checkpoint, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
    {
        var expectedPrevious = Genesis;
        long checkedCount = 0;
        long? lastSequence = null;
        long? lastUnkeyed = null;
        var keyed = false;
        var marks = new Dictionary<long, string>();
        await foreach (var r in records.WithCancellation(cancellationToken))
        {
            if (lastSequence is { } last && r.Sequence != last + 1)
            {
                return ChainVerification.Broken(checkedCount, r.Sequence, $"Record {last + 1} is missing (next is {r.Sequence}).");
            }

            if (!string.Equals(r.PreviousHash, expectedPrevious, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(checkedCount, r.Sequence, $"Record {r.Sequence} does not point at the record before it.");
            }

            if (r.KeyId is null)
            {
                if (keyed)
                {
                    return ChainVerification.Broken(checkedCount, r.Sequence, $"Record {r.Sequence} has no keyed hash although records before it do: it was rewritten without the key.");
                }

                lastUnkeyed = r.Sequence;
            }
            else if (key is null || !string.Equals(r.KeyId, key.Id, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(checkedCount, r.Sequence, $"Record {r.Sequence} was signed with key {r.KeyId}, not with {(key is null ? "a configured audit key" : $"the configured key {key.Id}")}.");
            }
            else
            {
                keyed = true;
            }

            var recomputed = r.KeyId is null ? ComputeHash(r.Sequence, r.At, r.Event, r.PreviousHash) : ComputeHash(r.Sequence, r.At, r.Event, r.PreviousHash, key!);
            if (!string.Equals(recomputed, r.Hash, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(checkedCount, r.Sequence, $"Record {r.Sequence} was altered after it was written.");
            }

            if (r.Sequence == anchor?.Sequence || r.Sequence == checkpoint?.Sequence)
            {
                marks[r.Sequence] = r.Hash;
            }

            expectedPrevious = r.Hash;
            lastSequence = r.Sequence;
            checkedCount++;
            if (checkedCount % 1000 == 0)
            {
                progress?.Report(checkedCount);
            }
        }

        progress?.Report(checkedCount);
        var end = lastSequence ?? 0;
        if (key is not null)
        {
            foreach (var (mark, name) in new[] { (checkpoint, "checkpoint exported by an earlier verification"), (anchor, "signed anchor of the log's end") })
            {
                if (mark is null)
                {
                    continue;
                }

                if (!mark.IsSignedBy(key))
                {
                    return ChainVerification.Broken(checkedCount, mark.Sequence, $"The {name} does not carry a valid signature of the configured key.");
                }

                if (mark.Sequence > end)
                {
                    return ChainVerification.Broken(checkedCount, end + 1, $"The log ends at record {end}, but the {name} names record {mark.Sequence}: records {end + 1}–{mark.Sequence} were removed.");
                }

                if (mark.Sequence > 0 && (!marks.TryGetValue(mark.Sequence, out var hash) || !string.Equals(hash, mark.Hash, StringComparison.Ordinal)))
                {
                    return ChainVerification.Broken(checkedCount, mark.Sequence, $"Record {mark.Sequence} differs from the {name}: the log was rewritten from there.");
                }
            }

            if (keyed && anchor is null)
            {
                return ChainVerification.Broken(checkedCount, end, "The signed anchor of the log's end is missing: records may have been removed from the end.");
            }

            if (anchor is not null && anchor.Sequence < end)
            {
                return ChainVerification.Broken(checkedCount, anchor.Sequence + 1, $"Records after {anchor.Sequence} are not covered by the signed anchor: they were not written by the portal.");
            }
        }

        var note = lastUnkeyed is { } unkeyed
            ? $"Records 1–{unkeyed} were written before the log was keyed (plain SHA-256){(keyed ? "; the keyed record after them covers their hashes." : "; until a keyed record follows, they can be re-hashed unnoticed.")}"
            : null;
        return new ChainVerification(true, checkedCount, null, null) { Note = note };
    }

    private static string Canonical(long sequence, DateTimeOffset at, AuditEvent e, string previousHash) =>
        new StringBuilder()
            .Append(sequence).Append('\n')
            .Append(at.UtcTicks).Append('\n')
            .Append(Field(e.ActorName)).Append(Field(e.ActorId?.ToString()))
            .Append(Field(e.Channel.ToString())).Append(Field(e.Action)).Append(Field(e.Target))
            .Append(Field(e.Outcome.ToString())).Append(Field(e.Detail)).Append(Field(e.Parameters))
            .Append(Field(e.AwsRequestId)).Append(previousHash)
            .ToString();

    // Length-prefixed so that no two different field lists produce the same text.
    private static string Field(string? value) => value is null ? "-1:\n" : $"{value.Length}:{value}\n";
}

public sealed record ChainVerification(bool Intact, long RecordsChecked, long? FirstBrokenSequence, string? Problem)
{
    /// <summary>Something a reader should know about an intact chain (records written before the log was keyed).</summary>
    public string? Note { get; init; }

    public static ChainVerification Broken(long checkedCount, long sequence, string problem) => new(false, checkedCount, sequence, problem);
}

/// <summary>Filter for reading the audit log.</summary>
public sealed record AuditQuery
{
    public string? Text { get; init; }

    public string? Actor { get; init; }

    public string? Action { get; init; }

    public AuditOutcome? Outcome { get; init; }

    public Channel? Channel { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? Target { get; init; }

    /// <summary>Only the records this reader may see (<see cref="Actions.Authorizer.AuditReadScopeOf"/>); null reads all (jobs, the chain check).</summary>
    public Security.ReadScope? VisibleTo { get; init; }

    public int PageIndex { get; init; }

    public int PageSize { get; init; } = 50;
}

/// <summary>The append-only audit log.</summary>
public interface IAuditLog
{
    /// <summary>Appends one event at the end of the chain and returns the stored record.</summary>
    Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every record matching the filter, oldest first, without paging (exports).</summary>
    IAsyncEnumerable<AuditRecord> StreamAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>The whole chain, oldest first.</summary>
    IAsyncEnumerable<AuditRecord> ReadChainAsync(CancellationToken cancellationToken = default);
}
