using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// The idempotency keys of executed actions, in the portal database: a claim is an insert on the key (the primary key), so of
/// two nodes claiming one key exactly one succeeds; the other reads the first claim back.
/// </summary>
public sealed class EfActionLedger(IDbContextFactory<PortalDbContext> contexts) : IActionLedger
{
    public const int MaxKeyLength = 200;
    private const int MaxSummaryLength = 2000;

    public async Task<LedgerEntry?> TryClaimAsync(string key, string kindName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var stored = Stored(key);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.ExecutedActions.Add(new ExecutedActionRow { Key = stored, KindName = kindName, ClaimedAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return null;
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
            {
                // Claimed before: read the first claim below.
            }
        }

        await using var read = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await read.ExecutedActions.AsNoTracking().SingleAsync(r => r.Key == stored, cancellationToken);
        return ToEntry(key, row);
    }

    public async Task<LedgerEntry?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        var stored = Stored(key);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ExecutedActions.AsNoTracking().SingleOrDefaultAsync(r => r.Key == stored, cancellationToken);
        return row is null ? null : ToEntry(key, row);
    }

    public async Task RenewAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var stored = Stored(key);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ExecutedActions
            .Where(r => r.Key == stored && r.CompletedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.AliveAt, now), cancellationToken);
    }

    public async Task<bool> TryAbandonAsync(string key, DateTimeOffset seenBefore, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var stored = Stored(key);
        var summary = execution.Summary.Length > MaxSummaryLength ? execution.Summary[..MaxSummaryLength] : execution.Summary;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // One conditional statement: a heartbeat landing first makes it match nothing, and one landing after finds it completed.
        var changed = await db.ExecutedActions
            .Where(r => r.Key == stored && r.CompletedAt == null && r.ClaimedAt < seenBefore && (r.AliveAt == null || r.AliveAt < seenBefore))
            .ExecuteUpdateAsync(
                set =>
                {
                    set.SetProperty(r => r.CompletedAt, now);
                    set.SetProperty(r => r.Succeeded, execution.Succeeded);
                    set.SetProperty(r => r.Summary, summary);
                    set.SetProperty(r => r.RequestId, execution.RequestId);
                },
                cancellationToken);
        return changed == 1;
    }

    private static LedgerEntry ToEntry(string key, ExecutedActionRow row) =>
        new(key, row.KindName, row.ClaimedAt, row.CompletedAt, row.Succeeded, row.Summary, row.RequestId) { Created = ReadCreated(row.Created), AliveAt = row.AliveAt };

    public async Task CompleteAsync(string key, ActionExecution execution, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var stored = Stored(key);
        var summary = execution.Summary.Length > MaxSummaryLength ? execution.Summary[..MaxSummaryLength] : execution.Summary;
        var requestId = execution.RequestId is { Length: > MaxSummaryLength } longId ? longId[..MaxSummaryLength] : execution.RequestId;
        var created = execution.Created.Count == 0 ? null : string.Join(' ', execution.Created.Select(c => c.ToString()));
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ExecutedActions
            .Where(r => r.Key == stored && r.CompletedAt == null)
            .ExecuteUpdateAsync(
                set =>
                {
                    set.SetProperty(r => r.CompletedAt, now);
                    set.SetProperty(r => r.Succeeded, execution.Succeeded);
                    set.SetProperty(r => r.Summary, summary);
                    set.SetProperty(r => r.RequestId, requestId);
                    set.SetProperty(r => r.Created, created);
                },
                cancellationToken);
    }

    private static IReadOnlyList<InstanceRef> ReadCreated(string? text) =>
        (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => InstanceRef.TryParse(t, out var r) ? r : null)
            .OfType<InstanceRef>()
            .ToList();

    /// <summary>Keys longer than the column (a caller's own key may be long) are stored as their SHA-256, still unique.</summary>
    private static string Stored(string key) =>
        key.Length <= MaxKeyLength
            ? key
            : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
}
