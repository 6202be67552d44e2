using PortalOps.Domain.Monitoring;

namespace PortalOps.Jobs.Persistence;

// Monitoring tables. Instances are keyed by "account/region/instance-id" (InstanceRef's text form).

internal sealed class MetricPointRow
{
    public string Instance { get; set; } = string.Empty;

    public MetricKind Metric { get; set; }

    /// <summary>Start of the collection period.</summary>
    public DateTimeOffset At { get; set; }

    public double Value { get; set; }
}

internal sealed class InstanceHealthRow
{
    public string Instance { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public double? Cpu { get; set; }

    public double? NetworkIn { get; set; }

    public double? NetworkOut { get; set; }

    public bool StatusCheckFailed { get; set; }

    public CheckStatus SystemStatus { get; set; }

    public CheckStatus InstanceStatus { get; set; }

    public DateTimeOffset? LastPointAt { get; set; }

    /// <summary>Where the instance lies (null: no resource); see FootprintFilter.</summary>
    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>Small named values of the monitoring jobs (the collection watermark).</summary>
internal sealed class MonitoringStateRow
{
    public string Key { get; set; } = string.Empty;

    public DateTimeOffset Value { get; set; }
}

internal sealed class AlertRuleRow
{
    public Guid Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public bool Enabled { get; set; }

    public RuleKind Kind { get; set; }

    public MetricKind Metric { get; set; }

    public Statistic Statistic { get; set; }

    public Comparison Comparison { get; set; }

    public double Threshold { get; set; }

    public int PeriodSeconds { get; set; }

    public int DatapointsToAlarm { get; set; }

    public int EvaluationPeriods { get; set; }

    public ScopeKind ScopeKind { get; set; }

    public string ScopeValue { get; set; } = string.Empty;

    public Severity Severity { get; set; }

    public string? NotifyRole { get; set; }

    /// <summary>JSON array of user ids.</summary>
    public string NotifyUsers { get; set; } = "[]";

    /// <summary>JSON array of corrective actions.</summary>
    public string Actions { get; set; } = "[]";

    public bool MirrorToCloudWatch { get; set; }

    public Guid OwnerId { get; set; }

    public string OwnerName { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}

internal sealed class AlertRow
{
    public Guid Id { get; set; }

    public Guid RuleId { get; set; }

    public string RuleName { get; set; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    public Severity Severity { get; set; }

    public AlertStatus Status { get; set; }

    public bool IsOpen { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset? NotifiedAt { get; set; }

    public Guid? AcknowledgedBy { get; set; }

    public string? AcknowledgedByName { get; set; }

    public DateTimeOffset? SnoozedUntil { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public string? ResolvedByName { get; set; }

    public int Changes { get; set; }

    public int NotifiedChanges { get; set; }

    public bool ResolutionNotified { get; set; }

    public int PeakMembers { get; set; }

    public int MemberCount { get; set; }

    /// <summary>JSON array of the instances that breach now.</summary>
    public string Members { get; set; } = "[]";

    /// <summary>JSON array of the alert's history.</summary>
    public string History { get; set; } = "[]";

    /// <summary>JSON array of approval request ids.</summary>
    public string Approvals { get; set; } = "[]";

    /// <summary>Where every instance that ever joined the alert lies (null: no resource); see FootprintFilter.</summary>
    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }

    public int Version { get; set; }
}

internal sealed class MaintenanceWindowRow
{
    public Guid Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public ScopeKind ScopeKind { get; set; }

    public string ScopeValue { get; set; } = string.Empty;

    public Guid? RuleId { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    public Guid CreatedBy { get; set; }

    public string CreatedByName { get; set; } = string.Empty;
}

/// <summary>Where an alert was shown in Telegram (chat and message), so each copy is edited as the alert changes.</summary>
internal sealed class TelegramAlertMessageRow
{
    public Guid Id { get; set; }

    public Guid AlertId { get; set; }

    public long ChatId { get; set; }

    public int MessageId { get; set; }

    public DateTimeOffset SentAt { get; set; }
}
