using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Monitoring;

/// <summary>Builders for rules and points in monitoring tests.</summary>
internal static class Rules
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    public static PortalUser Owner { get; } = Make.User("olivia", Role.Approver, "*/*");

    public static AlertRuleDraft Draft(Action<AlertRuleDraft>? change = null)
    {
        var draft = new AlertRuleDraft
        {
            Name = "CPU high",
            Kind = RuleKind.Threshold,
            Metric = MetricKind.Cpu,
            Statistic = Statistic.Average,
            Comparison = Comparison.GreaterThan,
            Threshold = 80,
            PeriodMinutes = 5,
            DatapointsToAlarm = 3,
            EvaluationPeriods = 5,
            ScopeKind = ScopeKind.Account,
            ScopeValue = "*",
            NotifyRole = Role.Operator,
        };
        change?.Invoke(draft);
        return draft;
    }

    public static AlertRule Rule(Action<AlertRuleDraft>? change = null, PortalUser? owner = null) =>
        Draft(change).ToRule(Guid.NewGuid(), owner ?? Owner, Make.Now, Period);

    /// <summary>One point per 5-minute period, the newest ending at the period that closed last before <paramref name="now"/>.</summary>
    public static List<MetricPoint> Series(PortalOps.Domain.Instances.InstanceRef instance, MetricKind metric, DateTimeOffset now, params double?[] values)
    {
        var end = RuleEvaluator.Floor(now, Period);
        return values.Select((v, i) => (v, at: end - ((values.Length - i) * Period)))
            .Where(x => x.v is not null)
            .Select(x => new MetricPoint(instance, metric, x.at, x.v!.Value))
            .ToList();
    }
}
