using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

// Table rows. The domain types stay free of persistence concerns; the stores map rows to them
// through the domain's FromStore factories.

internal sealed class UserRow
{
    public Guid Id { get; set; }

    public string UserName { get; set; } = string.Empty;

    /// <summary>Upper-case invariant user name: the unique, case-insensitive lookup key.</summary>
    public string NormalizedUserName { get; set; } = string.Empty;

    public string DisplayName { get; set; } = string.Empty;

    public Role Role { get; set; }

    /// <summary>JSON array of scopes.</summary>
    public string Scopes { get; set; } = "[]";

    public string? PasswordHash { get; set; }

    public string? TotpSecret { get; set; }

    public string? ExternalSubject { get; set; }

    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }

    public int SecurityStamp { get; set; }

    /// <summary>The last TOTP time step a code was accepted for.</summary>
    public long? TotpLastStep { get; set; }

    /// <summary>Raised by every full update; an update from an older copy is refused.</summary>
    public int Version { get; set; }
}

internal sealed class SessionRow
{
    /// <summary>Lower-case hex SHA-256 of the session id; the id itself lives only in the (encrypted) cookie.</summary>
    public string IdHash { get; set; } = string.Empty;

    public Guid UserId { get; set; }

    public string Method { get; set; } = string.Empty;

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }
}

internal sealed class ApprovalRow
{
    public Guid Id { get; set; }

    public string KindName { get; set; } = string.Empty;

    /// <summary>JSON array of the resolved targets.</summary>
    public string Targets { get; set; } = "[]";

    /// <summary>JSON object of the action's parameters.</summary>
    public string Parameters { get; set; } = "{}";

    public Guid RequestedBy { get; set; }

    public string RequestedByName { get; set; } = string.Empty;

    public Channel RequestedVia { get; set; }

    public string Rule { get; set; } = string.Empty;

    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public ApprovalStatus Status { get; set; }

    public Guid? DecidedBy { get; set; }

    public string? DecidedByName { get; set; }

    public Channel? DecidedVia { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? DecisionReason { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>When a run of the execution job claimed it.</summary>
    public DateTimeOffset? ExecutionStartedAt { get; set; }

    public string? Outcome { get; set; }

    /// <summary>Optimistic-concurrency token; updates are conditional on it.</summary>
    public int Version { get; set; }
}

internal sealed class AuditRow
{
    public long Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    public string ActorName { get; set; } = string.Empty;

    public Guid? ActorId { get; set; }

    public Channel Channel { get; set; }

    public string Action { get; set; } = string.Empty;

    public string Target { get; set; } = string.Empty;

    public AuditOutcome Outcome { get; set; }

    public string? Detail { get; set; }

    public string? Parameters { get; set; }

    public string? AwsRequestId { get; set; }

    public string PreviousHash { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;

    /// <summary>The audit key that signed <see cref="Hash"/> (an HMAC); null for records written before the log was keyed.</summary>
    public string? KeyId { get; set; }

    /// <summary>Where the record's targets lie (null: no resource); see FootprintFilter. Not part of the hashed content.</summary>
    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

internal sealed class InboxRow
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public NotificationKind Kind { get; set; }

    public string Title { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public Guid? ApprovalId { get; set; }

    /// <summary>The alert this row tells about; an alert has one row per person, updated as the alert changes.</summary>
    public Guid? AlertId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }
}

internal sealed class SetupTokenRow
{
    public Guid Id { get; set; }

    public string Purpose { get; set; } = string.Empty;

    /// <summary>Lower-case hex SHA-256 of the token; the token itself is never stored.</summary>
    public string TokenHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>The Admin's approval rules: one row (Id 1) holding the whole ordered list, so an empty list is a real choice.</summary>
internal sealed class ApprovalRuleSetRow
{
    public int Id { get; set; }

    /// <summary>JSON array of rules, in the order they are checked.</summary>
    public string Rules { get; set; } = "[]";

    public string UpdatedBy { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic-concurrency token; a save is conditional on it.</summary>
    public int Version { get; set; }
}

internal sealed class LaunchTemplateRow
{
    public Guid Id { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary>Upper-case invariant name: unique.</summary>
    public string NormalizedName { get; set; } = string.Empty;

    /// <summary>JSON object of the launch configuration.</summary>
    public string Spec { get; set; } = "{}";

    public string UpdatedBy { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}
