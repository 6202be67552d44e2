using PortalOps.Domain.Security;

namespace PortalOps.Domain.Audit;

/// <summary>One run of the chain verification: how far it got, and what it found.</summary>
public sealed record AuditVerificationStatus(
    Guid Id, string StartedByName, DateTimeOffset StartedAt, long Total, long Checked,
    DateTimeOffset? FinishedAt, bool? Intact, long? FirstBrokenSequence, string? Result)
{
    public bool IsFinished => FinishedAt is not null;
}

/// <summary>
/// Verifying the audit chain as a background job, started by an Admin, with its progress in a small status record that any node
/// can read (the page polls it). The run's result is itself audited.
/// </summary>
public interface IAuditVerification
{
    /// <summary>Starts a run; null (and a denial in the audit log) when <paramref name="actor"/> is not an Admin.</summary>
    Task<AuditVerificationStatus?> StartAsync(Actor actor, CancellationToken cancellationToken = default);

    Task<AuditVerificationStatus?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The newest run, finished or not.</summary>
    Task<AuditVerificationStatus?> LatestAsync(CancellationToken cancellationToken = default);
}
