using Hangfire;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Audit;

/// <summary>Starts <see cref="VerifyAuditChainJob"/> for Admins and reads its status record, which the job keeps up to date.</summary>
public sealed class AuditVerificationService(
    IDbContextFactory<PortalDbContext> contexts, EfAuditLog log, IBackgroundJobClient jobs, TimeProvider clock) : IAuditVerification
{
    /// <summary>A run that has not finished after this long is taken for lost (its node stopped), and a new one may start.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(30);

    public async Task<AuditVerificationStatus?> StartAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (!actor.IsAtLeast(Role.Admin))
        {
            await log.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "audit.verify", "audit-log", AuditOutcome.Denied, $"{actor.Name} is {actor.Role}; verifying the chain needs Admin."), CancellationToken.None);
            return null;
        }

        var now = clock.GetUtcNow();
        if (await LatestAsync(cancellationToken) is { IsFinished: false } running && now - running.StartedAt < StaleAfter)
        {
            return running;
        }

        var row = new AuditVerificationRow
        {
            Id = Guid.CreateVersion7(now), StartedBy = actor.UserId, StartedByName = actor.Name, StartedAt = now, Total = await log.CountAsync(cancellationToken),
        };
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.AuditVerifications.Add(row);
            await db.SaveChangesAsync(cancellationToken);
        }

        jobs.Enqueue<VerifyAuditChainJob>(job => job.RunAsync(row.Id, CancellationToken.None));
        await log.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "audit.verify", "audit-log", AuditOutcome.Pending, $"Verification {row.Id} of {row.Total} record(s) started."), CancellationToken.None);
        return ToStatus(row);
    }

    public async Task<AuditVerificationStatus?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.AuditVerifications.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        return row is null ? null : ToStatus(row);
    }

    public async Task<AuditVerificationStatus?> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.AuditVerifications.AsNoTracking().OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToStatus(row);
    }

    internal static AuditVerificationStatus ToStatus(AuditVerificationRow r) =>
        new(r.Id, r.StartedByName, r.StartedAt, r.Total, r.Checked, r.FinishedAt, r.Intact, r.FirstBrokenSequence, r.Result);
}
