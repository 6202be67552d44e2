using System.Runtime.CompilerServices;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Audit;

/// <summary>
/// Verifies the audit chain with the key, against the signed anchor of its end and the checkpoint an earlier run exported, and
/// writes its progress and result to the run's status record; an intact chain's end is exported as the new checkpoint. The result
/// is audited. Safe to run twice: a finished run is left alone.
/// </summary>
public sealed partial class VerifyAuditChainJob(
    IDbContextFactory<PortalDbContext> contexts, EfAuditLog log, AuditKey key, AuditCheckpointFile checkpoint, TimeProvider clock, ILogger<VerifyAuditChainJob> logger)
{
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    [JobDisplayName("Verify the audit chain ({0})")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid runId, CancellationToken cancellationToken)
    {
        AuditVerificationRow? run;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            run = await db.AuditVerifications.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        }

        if (run is null || run.FinishedAt is not null)
        {
            return;
        }

        // The anchor is read first and the walk stops at it, so records appended while the walk runs are left to the next run.
        var anchor = await log.ReadAnchorAsync(cancellationToken);
        var saved = checkpoint.Read();
        var progress = new LatestProgress();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = ReportAsync(runId, progress, stop.Token);
        ChainVerification result;
        try
        {
            result = await AuditChain.VerifyAsync(UpTo(log.ReadChainAsync(cancellationToken), anchor?.Sequence), key, anchor, saved, progress, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await reporter;
        }

        if (result.Intact && anchor is not null)
        {
            checkpoint.Write(anchor);
        }

        var text = Describe(result);
        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            await db.AuditVerifications.Where(r => r.Id == runId).ExecuteUpdateAsync(
                set =>
                {
                    set.SetProperty(r => r.Checked, result.RecordsChecked);
                    set.SetProperty(r => r.FinishedAt, clock.GetUtcNow());
                    set.SetProperty(r => r.Intact, result.Intact);
                    set.SetProperty(r => r.FirstBrokenSequence, result.FirstBrokenSequence);
                    set.SetProperty(r => r.Result, text);
                },
                CancellationToken.None);
        }

        await log.AppendAsync(
            new AuditEvent(run.StartedByName, run.StartedBy, Channel.Job, "audit.verify", "audit-log", result.Intact ? AuditOutcome.Succeeded : AuditOutcome.Failed, text),
            CancellationToken.None);
        if (!result.Intact)
        {
            LogBroken(logger, result.FirstBrokenSequence, result.Problem);
        }
    }

    /// <summary>What a person reads about a run's result.</summary>
    public static string Describe(ChainVerification result) =>
        result.Intact
            ? $"Intact: {result.RecordsChecked} records checked.{(result.Note is null ? string.Empty : " " + result.Note)}"
            : $"Broken at record {result.FirstBrokenSequence}: {result.Problem}";

    private static async IAsyncEnumerable<AuditRecord> UpTo(IAsyncEnumerable<AuditRecord> records, long? last, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (last is { } end && record.Sequence > end)
            {
                yield break;
            }

            yield return record;
        }
    }

    private async Task ReportAsync(Guid runId, LatestProgress progress, CancellationToken cancellationToken)
    {
        long written = -1;
        try
        {
            while (true)
            {
                await Task.Delay(ProgressInterval, clock, cancellationToken);
                var now = progress.Value;
                if (now == written)
                {
                    continue;
                }

                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                await db.AuditVerifications.Where(r => r.Id == runId).ExecuteUpdateAsync(set => set.SetProperty(r => r.Checked, now), cancellationToken);
                written = now;
            }
        }
        catch (OperationCanceledException)
        {
            // The walk is over; the final count is written with the result.
        }
    }

    private sealed class LatestProgress : IProgress<long>
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Report(long value) => Interlocked.Exchange(ref _value, value);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit chain is broken at record {Sequence}: {Problem}")]
    private static partial void LogBroken(ILogger logger, long? sequence, string? problem);
}
