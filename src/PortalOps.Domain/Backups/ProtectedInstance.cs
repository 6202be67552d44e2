using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

public enum RpoStatus
{
    /// <summary>The last good backup (and copy, when the policy copies) is younger than the RPO.</summary>
    Met,

    /// <summary>The last good backup or copy is older than the RPO.</summary>
    Missed,

    /// <summary>No good backup yet, and the RPO has passed since the first attempt.</summary>
    Never,

    /// <summary>No good backup yet, but the first attempt is still within the RPO.</summary>
    Waiting,
}

/// <summary>One instance under one policy: its last good backup and copy, what went wrong last, and whether its RPO is met.</summary>
public sealed record ProtectedInstance(
    Guid PolicyId,
    string PolicyName,
    InstanceRef Instance,
    string Name,
    TimeSpan Rpo,
    bool Copies,
    DateTimeOffset? LastBackupAt,
    DateTimeOffset? LastCopyAt,
    DateTimeOffset? FirstAttemptAt,
    DateTimeOffset? LastAttemptAt,
    string? LastError,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The older of the last backup and (when copying) the last copy: what a person could restore in the DR region.</summary>
    public DateTimeOffset? LastGood => Copies ? (LastBackupAt is { } b && LastCopyAt is { } c ? (b < c ? b : c) : null) : LastBackupAt;

    /// <summary>When the RPO is missed if nothing new succeeds.</summary>
    public DateTimeOffset? DueBy => (LastGood ?? FirstAttemptAt) is { } from ? from + Rpo : null;

    public RpoStatus StatusAt(DateTimeOffset now) => LastGood switch
    {
        { } good when now - good <= Rpo => RpoStatus.Met,
        not null => RpoStatus.Missed,
        null when FirstAttemptAt is { } first && now - first > Rpo => RpoStatus.Never,
        _ => RpoStatus.Waiting,
    };

    public Footprint Footprint => Footprint.Of(Instance.AccountId, Instance.Region, Tags);
}

/// <summary>Filters for the protected-instances grid.</summary>
public sealed record ProtectionQuery(ReadScope Scope, DateTimeOffset Now, int PageIndex = 0, int PageSize = 25, string? Search = null, Guid? PolicyId = null, bool MissedOnly = false)
{
    public const int MaxPageSize = 200;
}
