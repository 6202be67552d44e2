namespace PortalOps.Jobs.Persistence;

/// <summary>The signed end of the audit chain (one row, updated in the same transaction as each append).</summary>
internal sealed class AuditAnchorRow
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long Sequence { get; set; }

    public string Hash { get; set; } = string.Empty;

    public string KeyId { get; set; } = string.Empty;

    public string Mac { get; set; } = string.Empty;
}

/// <summary>One run of the audit chain verification job, polled by the Audit page for its progress and result.</summary>
internal sealed class AuditVerificationRow
{
    public Guid Id { get; set; }

    public Guid? StartedBy { get; set; }

    public string StartedByName { get; set; } = string.Empty;

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>How many records the log held when the run started (for a progress bar).</summary>
    public long Total { get; set; }

    public long Checked { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool? Intact { get; set; }

    public long? FirstBrokenSequence { get; set; }

    public string? Result { get; set; }
}
