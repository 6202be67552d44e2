using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>What a rule looks for.</summary>
public enum RuleKind
{
    /// <summary>A metric's statistic compared with a threshold for N of M periods.</summary>
    Threshold,

    /// <summary>An EC2 status check failed (the StatusCheckFailed metric, or DescribeInstanceStatus says impaired) for N of M periods.</summary>
    StatusCheck,

    /// <summary>A running instance sent no value of the metric for M periods.</summary>
    NoData,

    /// <summary>The value is far (a number of standard deviations) from the instance's own baseline for that hour of the week.</summary>
    Anomaly,
}

public enum Comparison
{
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
}

public enum Severity
{
    Info,
    Warning,
    Critical,
}

/// <summary>What a rule's scope is made of.</summary>
public enum ScopeKind
{
    /// <summary>An account id, or "*" for every account.</summary>
    Account,
    Region,

    /// <summary>"key=value" (or "key" for any value).</summary>
    Tag,

    /// <summary>An Auto Scaling group's name (instances tagged aws:autoscaling:groupName).</summary>
    AutoScalingGroup,
    Instance,
}

/// <summary>Which instances a rule (or a maintenance window) covers.</summary>
public sealed record RuleScope(ScopeKind Kind, string Value)
{
    public const string AsgTag = "aws:autoscaling:groupName";

    public bool Covers(Instance instance) => Covers(instance.Ref, instance.Tags);

    public bool Covers(InstanceRef instance, IReadOnlyDictionary<string, string> tags) => Kind switch
    {
        ScopeKind.Account => Value == "*" || string.Equals(instance.AccountId, Value, StringComparison.Ordinal),
        ScopeKind.Region => string.Equals(instance.Region, Value, StringComparison.Ordinal),
        ScopeKind.Tag => MatchesTag(tags, Value),
        ScopeKind.AutoScalingGroup => tags.TryGetValue(AsgTag, out var group) && string.Equals(group, Value, StringComparison.Ordinal),
        ScopeKind.Instance => string.Equals(instance.InstanceId, Value, StringComparison.Ordinal),
    };

    /// <summary>Null when the value fits the kind; otherwise a message for the field.</summary>
    public static string? Problem(ScopeKind kind, string? value)
    {
        var v = value?.Trim() ?? string.Empty;
        if (v.Length == 0)
        {
            return kind switch
            {
                ScopeKind.Account => "Name an account id, or * for every account.",
                ScopeKind.Region => "Name a region, such as eu-west-1.",
                ScopeKind.Tag => "Name a tag as key=value.",
                ScopeKind.AutoScalingGroup => "Name an Auto Scaling group.",
                ScopeKind.Instance => "Name an instance id, such as i-0123456789abcdef0.",
            };
        }

        return kind switch
        {
            ScopeKind.Account when v != "*" && !(v.Length == 12 && v.All(char.IsAsciiDigit)) => $"'{v}' is not an account id (12 digits) or *.",
            ScopeKind.Region when !v.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || !v.Contains('-') => $"'{v}' is not a region.",
            ScopeKind.Tag when v.StartsWith('=') => $"'{v}' has no tag key; write key=value.",
            ScopeKind.Instance when !v.StartsWith("i-", StringComparison.Ordinal) || v.Length < 10 => $"'{v}' is not an instance id.",
            _ => null,
        };
    }

    public override string ToString() => Kind switch
    {
        ScopeKind.Account => Value == "*" ? "every account" : $"account {Value}",
        ScopeKind.Region => $"region {Value}",
        ScopeKind.Tag => $"tag {Value}",
        ScopeKind.AutoScalingGroup => $"Auto Scaling group {Value}",
        ScopeKind.Instance => $"instance {Value}",
    };

    /// <summary>
    /// Everything this scope covers, as a footprint (what all those instances share), for deciding who may set or see it;
    /// an instance scope needs the instance (<paramref name="instance"/>), and is null without it, as is a tag scope with no value.
    /// </summary>
    public Footprint? Footprint(Instance? instance = null)
    {
        var none = new Dictionary<string, string>(StringComparer.Ordinal);
        var eq = Value.IndexOf('=', StringComparison.Ordinal);
        return Kind switch
        {
            ScopeKind.Account => new Footprint(Value == "*" ? string.Empty : Value, string.Empty, none),
            ScopeKind.Region => new Footprint(string.Empty, Value, none),
            ScopeKind.Tag when eq > 0 => new Footprint(string.Empty, string.Empty, new Dictionary<string, string>(StringComparer.Ordinal) { [Value[..eq].Trim()] = Value[(eq + 1)..].Trim() }),
            ScopeKind.AutoScalingGroup => new Footprint(string.Empty, string.Empty, new Dictionary<string, string>(StringComparer.Ordinal) { [AsgTag] = Value }),
            ScopeKind.Instance when instance is not null && string.Equals(instance.InstanceId, Value, StringComparison.Ordinal) =>
                Security.Footprint.Of(instance.AccountId, instance.Region, instance.Tags),
            _ => null,
        };
    }

    private static bool MatchesTag(IReadOnlyDictionary<string, string> tags, string tag)
    {
        var eq = tag.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return tags.ContainsKey(tag.Trim());
        }

        return tags.TryGetValue(tag[..eq].Trim(), out var value) && string.Equals(value, tag[(eq + 1)..].Trim(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Whether a corrective action runs by itself or waits for a person's Approve.</summary>
public enum ActionMode
{
    /// <summary>Offered with Approve / Deny buttons (Telegram, the alert page); runs only once someone approves.</summary>
    Offered,

    /// <summary>Runs when the alert fires, with the rights of the rule's owner (and the approval policy still applies).</summary>
    Automatic,
}

/// <summary>A corrective action a rule names: an action kind, how it runs, and its parameters (count for scale-out, document for Run Command).</summary>
public sealed record CorrectiveAction(string Kind, ActionMode Mode, IReadOnlyDictionary<string, string> Parameters)
{
    public CorrectiveAction(string kind, ActionMode mode)
        : this(kind, mode, new Dictionary<string, string>())
    {
    }
}

/// <summary>Who hears about a rule's alerts: everyone with at least a role whose scope covers the instance, and/or named people.</summary>
public sealed record AlertRecipients(Role? MinimumRole, IReadOnlyList<Guid> Users)
{
    public bool IsEmpty => MinimumRole is null && Users.Count == 0;
}

/// <summary>
/// An alert rule as saved by an Approver or Admin (its owner). Immutable: an edit saves a new version of the rule through
/// <see cref="AlertRuleDraft"/>, which checks every field.
/// </summary>
public sealed class AlertRule
{
    private AlertRule()
    {
        Name = string.Empty;
        Scope = new RuleScope(ScopeKind.Account, "*");
        Recipients = new AlertRecipients(null, []);
        Actions = [];
        OwnerName = string.Empty;
    }

    public Guid Id { get; private init; }

    public string Name { get; private init; }

    public bool Enabled { get; private init; }

    public RuleKind Kind { get; private init; }

    public MetricKind Metric { get; private init; }

    public Statistic Statistic { get; private init; }

    public Comparison Comparison { get; private init; }

    /// <summary>The threshold in the metric's unit; for <see cref="RuleKind.Anomaly"/> the number of standard deviations.</summary>
    public double Threshold { get; private init; }

    /// <summary>Length of one evaluation period (a multiple of the collection period).</summary>
    public TimeSpan Period { get; private init; }

    /// <summary>N of "N of M": how many of the last M periods must breach.</summary>
    public int DatapointsToAlarm { get; private init; }

    /// <summary>M of "N of M".</summary>
    public int EvaluationPeriods { get; private init; }

    public RuleScope Scope { get; private init; }

    public Severity Severity { get; private init; }

    public AlertRecipients Recipients { get; private init; }

    public IReadOnlyList<CorrectiveAction> Actions { get; private init; }

    /// <summary>Also keep a CloudWatch alarm with the same definition (threshold and status-check rules on one instance or group of instances).</summary>
    public bool MirrorToCloudWatch { get; private init; }

    /// <summary>The person who saved the rule; automatic actions run with their current rights.</summary>
    public Guid OwnerId { get; private init; }

    public string OwnerName { get; private init; }

    public DateTimeOffset UpdatedAt { get; private init; }

    public int Version { get; private init; }

    /// <summary>The CloudWatch alarm name a mirrored rule uses for one instance.</summary>
    public string AlarmName(InstanceRef instance) => $"portalops-{Id:N}-{instance.InstanceId}";

    public string Describe()
    {
        var metric = MetricInfo.Of(Metric);
        var window = $"{DatapointsToAlarm} of {EvaluationPeriods} × {Period.TotalMinutes:0} min";
        return Kind switch
        {
            RuleKind.Threshold => $"{Statistic} {metric.Label} {Symbol(Comparison)} {metric.Format(Threshold)} for {window}",
            RuleKind.StatusCheck => $"status check failed for {window}",
            RuleKind.NoData => $"no {metric.Label} data for {EvaluationPeriods} × {Period.TotalMinutes:0} min",
            RuleKind.Anomaly => $"{metric.Label} more than {Threshold:0.#} σ from its usual value for that hour of the week, {window}",
        };
    }

    public static string Symbol(Comparison comparison) => comparison switch
    {
        Comparison.GreaterThan => ">",
        Comparison.GreaterThanOrEqual => "≥",
        Comparison.LessThan => "<",
        Comparison.LessThanOrEqual => "≤",
    };

    internal static AlertRule Create(AlertRuleDraft d, Guid id, PortalUser owner, DateTimeOffset now, int version) => new()
    {
        Id = id,
        Name = d.Name!.Trim(),
        Enabled = d.Enabled,
        Kind = d.Kind,
        Metric = d.Kind == RuleKind.StatusCheck ? MetricKind.StatusCheck : d.Metric,
        Statistic = d.Kind == RuleKind.StatusCheck ? Statistic.Maximum : d.Statistic,
        Comparison = d.Kind == RuleKind.StatusCheck ? Comparison.GreaterThanOrEqual : d.Comparison,
        Threshold = d.Kind == RuleKind.StatusCheck ? 1 : d.Threshold ?? 0,
        Period = TimeSpan.FromMinutes(d.PeriodMinutes),
        DatapointsToAlarm = d.Kind == RuleKind.NoData ? d.EvaluationPeriods : d.DatapointsToAlarm,
        EvaluationPeriods = d.EvaluationPeriods,
        Scope = new RuleScope(d.ScopeKind, d.ScopeValue!.Trim()),
        Severity = d.Severity,
        Recipients = new AlertRecipients(d.NotifyRole, d.NotifyUsers.Distinct().ToList()),
        Actions = d.Actions.ToList(),
        MirrorToCloudWatch = d.MirrorToCloudWatch,
        OwnerId = owner.Id,
        OwnerName = owner.UserName,
        UpdatedAt = now,
        Version = version,
    };

    public static AlertRule FromStore(
        Guid id, string name, bool enabled, RuleKind kind, MetricKind metric, Statistic statistic, Comparison comparison, double threshold,
        TimeSpan period, int datapointsToAlarm, int evaluationPeriods, RuleScope scope, Severity severity, AlertRecipients recipients,
        IReadOnlyList<CorrectiveAction> actions, bool mirror, Guid ownerId, string ownerName, DateTimeOffset updatedAt, int version) => new()
    {
        Id = id, Name = name, Enabled = enabled, Kind = kind, Metric = metric, Statistic = statistic, Comparison = comparison, Threshold = threshold,
        Period = period, DatapointsToAlarm = datapointsToAlarm, EvaluationPeriods = evaluationPeriods, Scope = scope, Severity = severity,
        Recipients = recipients, Actions = actions, MirrorToCloudWatch = mirror, OwnerId = ownerId, OwnerName = ownerName, UpdatedAt = updatedAt, Version = version,
    };

    /// <summary>A draft with this rule's values, for editing.</summary>
    public AlertRuleDraft ToDraft() => new()
    {
        Name = Name, Enabled = Enabled, Kind = Kind, Metric = Metric, Statistic = Statistic, Comparison = Comparison, Threshold = Threshold,
        PeriodMinutes = (int)Period.TotalMinutes, DatapointsToAlarm = DatapointsToAlarm, EvaluationPeriods = EvaluationPeriods,
        ScopeKind = Scope.Kind, ScopeValue = Scope.Value, Severity = Severity, NotifyRole = Recipients.MinimumRole, NotifyUsers = Recipients.Users.ToList(),
        Actions = Actions.ToList(), MirrorToCloudWatch = MirrorToCloudWatch,
    };
}

/// <summary>Stores alert rules. Saving checks the version, so two people editing one rule cannot overwrite each other silently.</summary>
public interface IAlertRuleStore
{
    Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken cancellationToken = default);

    Task<AlertRule?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Inserts (version 1) or replaces the stored rule whose version is <c>rule.Version - 1</c>; otherwise throws <see cref="ConcurrencyConflictException"/>.</summary>
    Task SaveAsync(AlertRule rule, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default);
}
