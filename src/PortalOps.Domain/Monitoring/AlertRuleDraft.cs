using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>
/// A rule being written in the editor. <see cref="Validate"/> names every field that is wrong and says why, so the editor
/// can show the message at the field; <see cref="ToRule"/> refuses a draft that has any.
/// </summary>
public sealed class AlertRuleDraft
{
    public const int MaxEvaluationPeriods = 288;
    public const int MaxPeriodMinutes = 1440;
    public const int MaxNameLength = 120;
    public const double MaxSigmas = 10;

    public string? Name { get; set; }

    public bool Enabled { get; set; } = true;

    public RuleKind Kind { get; set; } = RuleKind.Threshold;

    public MetricKind Metric { get; set; } = MetricKind.Cpu;

    public Statistic Statistic { get; set; } = Statistic.Average;

    public Comparison Comparison { get; set; } = Comparison.GreaterThan;

    public double? Threshold { get; set; } = 80;

    public int PeriodMinutes { get; set; } = 5;

    public int DatapointsToAlarm { get; set; } = 3;

    public int EvaluationPeriods { get; set; } = 3;

    public ScopeKind ScopeKind { get; set; } = ScopeKind.Account;

    public string? ScopeValue { get; set; }

    public Severity Severity { get; set; } = Severity.Warning;

    public Role? NotifyRole { get; set; } = Role.Operator;

    public List<Guid> NotifyUsers { get; set; } = [];

    public List<CorrectiveAction> Actions { get; set; } = [];

    public bool MirrorToCloudWatch { get; set; }

    /// <summary>Field name → message, for every field that is wrong. Empty when the draft can be saved.</summary>
    public IReadOnlyDictionary<string, string> Validate(TimeSpan collectionPeriod)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors[nameof(Name)] = "Give the rule a name.";
        }
        else if (Name.Trim().Length > MaxNameLength)
        {
            errors[nameof(Name)] = $"A name has at most {MaxNameLength} characters.";
        }

        if (ValidateThreshold() is { } threshold)
        {
            errors[nameof(Threshold)] = threshold;
        }

        var step = Math.Max(1, (int)collectionPeriod.TotalMinutes);
        if (PeriodMinutes < step || PeriodMinutes > MaxPeriodMinutes || PeriodMinutes % step != 0)
        {
            errors[nameof(PeriodMinutes)] = $"A period is a multiple of the collection period ({step} min), up to {MaxPeriodMinutes} min.";
        }

        if (EvaluationPeriods is < 1 or > MaxEvaluationPeriods)
        {
            errors[nameof(EvaluationPeriods)] = $"M is between 1 and {MaxEvaluationPeriods} periods.";
        }
        else if ((long)EvaluationPeriods * PeriodMinutes > 7 * 24 * 60)
        {
            errors[nameof(EvaluationPeriods)] = "M periods together may last at most 7 days.";
        }

        if (Kind != RuleKind.NoData && (DatapointsToAlarm < 1 || DatapointsToAlarm > EvaluationPeriods))
        {
            errors[nameof(DatapointsToAlarm)] = $"N is between 1 and M ({EvaluationPeriods}): a rule cannot need more breaching periods than it looks at.";
        }

        if (RuleScope.Problem(ScopeKind, ScopeValue) is { } scope)
        {
            errors[nameof(ScopeValue)] = scope;
        }

        if (NotifyRole is null && NotifyUsers.Count == 0)
        {
            errors[nameof(NotifyRole)] = "Choose who hears about it: a role, named people, or both.";
        }

        if (ValidateActions() is { } actions)
        {
            errors[nameof(Actions)] = actions;
        }

        if (MirrorToCloudWatch && Kind is RuleKind.NoData or RuleKind.Anomaly)
        {
            errors[nameof(MirrorToCloudWatch)] = "Only threshold and status-check rules can be mirrored as CloudWatch alarms.";
        }

        return errors;
    }

    /// <summary>Makes the rule, or throws <see cref="DomainException"/> with the first problem. The owner must be an Approver or Admin.</summary>
    public AlertRule ToRule(Guid id, PortalUser owner, DateTimeOffset now, TimeSpan collectionPeriod, int version = 1)
    {
        if (owner.Role < Role.Approver)
        {
            throw new DomainException($"{owner.UserName} is {owner.Role}; alert rules are written by Approvers and Admins.");
        }

        var errors = Validate(collectionPeriod);
        if (errors.Count > 0)
        {
            throw new DomainException(errors.First().Value);
        }

        return AlertRule.Create(this, id, owner, now, version);
    }

    private string? ValidateThreshold()
    {
        if (Kind is RuleKind.StatusCheck or RuleKind.NoData)
        {
            return null;
        }

        if (Threshold is not { } t || double.IsNaN(t) || double.IsInfinity(t))
        {
            return "Enter a number.";
        }

        if (Kind == RuleKind.Anomaly)
        {
            return t is > 0 and <= MaxSigmas ? null : $"An anomaly band is more than 0 and at most {MaxSigmas} standard deviations wide.";
        }

        var metric = MetricInfo.Of(Metric);
        var can = Comparison switch
        {
            Comparison.GreaterThan => t < (metric.Max ?? double.MaxValue),
            Comparison.GreaterThanOrEqual => t <= (metric.Max ?? double.MaxValue),
            Comparison.LessThan => t > metric.Min,
            Comparison.LessThanOrEqual => t >= metric.Min,
        };
        if (!can)
        {
            var range = metric.Max is { } max ? $"between {metric.Min:0.##} and {max:0.##}" : $"at least {metric.Min:0.##}";
            return $"{metric.Label} is always {range} {metric.Unit}: {Statistic.ToString().ToLowerInvariant()} {AlertRule.Symbol(Comparison)} {t:0.##} can never happen.";
        }

        if (t < metric.Min || (metric.Max is { } top && t > top))
        {
            return $"{metric.Label} is measured in {metric.Unit} from {metric.Min:0.##}{(metric.Max is { } m ? $" to {m:0.##}" : string.Empty)}; {t:0.##} is outside that.";
        }

        return null;
    }

    private string? ValidateActions()
    {
        foreach (var action in Actions)
        {
            var kind = ActionKind.Find(action.Kind);
            if (kind is null || !CorrectiveActions.Kinds.Contains(kind))
            {
                return $"'{action.Kind}' is not a corrective action.";
            }

            if (CorrectiveActions.ParameterProblem(kind, action.Parameters) is { } problem)
            {
                return problem;
            }
        }

        return Actions.GroupBy(a => a.Kind).Any(g => g.Count() > 1) ? "Name each action once." : null;
    }
}
