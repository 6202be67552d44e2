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
    string Hash);

/// <summary>The tamper-evident chain: each record's hash covers its content and the previous record's hash.</summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string ComputeHash(long sequence, DateTimeOffset at, AuditEvent e, string previousHash)
    {
        var canonical = new StringBuilder()
            .Append(sequence).Append('\n')
            .Append(at.UtcTicks).Append('\n')
            .Append(Field(e.ActorName)).Append(Field(e.ActorId?.ToString()))
            .Append(Field(e.Channel.ToString())).Append(Field(e.Action)).Append(Field(e.Target))
            .Append(Field(e.Outcome.ToString())).Append(Field(e.Detail)).Append(Field(e.Parameters))
            .Append(Field(e.AwsRequestId)).Append(previousHash)
            .ToString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static AuditRecord Link(long sequence, DateTimeOffset at, AuditEvent e, string previousHash) =>
        new(sequence, at, e, previousHash, ComputeHash(sequence, at, e, previousHash));

    /// <summary>Walks the chain in order and reports the first record whose link or content does not hold.</summary>
    public static async Task<ChainVerification> VerifyAsync(IAsyncEnumerable<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        var expectedPrevious = Genesis;
        long checkedCount = 0;
        long? lastSequence = null;
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

            var recomputed = ComputeHash(r.Sequence, r.At, r.Event, r.PreviousHash);
            if (!string.Equals(recomputed, r.Hash, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(checkedCount, r.Sequence, $"Record {r.Sequence} was altered after it was written.");
            }

            expectedPrevious = r.Hash;
            lastSequence = r.Sequence;
            checkedCount++;
        }

        return new ChainVerification(true, checkedCount, null, null);
    }

    // Length-prefixed so that no two different field lists produce the same text.
    private static string Field(string? value) => value is null ? "-1:\n" : $"{value.Length}:{value}\n";
}

public sealed record ChainVerification(bool Intact, long RecordsChecked, long? FirstBrokenSequence, string? Problem)
{
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
