namespace PortalOps.Domain.Monitoring;

public enum EvaluationState
{
    /// <summary>Enough data, and fewer than N periods breach.</summary>
    Ok,

    /// <summary>At least N of the last M periods breach.</summary>
    Breaching,

    /// <summary>No value in any of the M periods: nothing to judge, so no alarm (unless the rule is a no-data rule).</summary>
    NoData,
}

/// <summary>The outcome of one rule for one instance.</summary>
public sealed record Evaluation(EvaluationState State, double? Value, int BreachingPeriods, int MissingPeriods, string Detail);

/// <summary>
/// Evaluates a rule over one instance's points: the last M complete periods, each reduced to the rule's statistic, compared
/// with the threshold; the rule breaches when at least N periods do. A period without data never counts as breaching.
/// Pure: the clock is a parameter.
/// </summary>
public static class RuleEvaluator
{
    /// <summary>The start of each of the rule's last M complete periods (oldest first), periods aligned on UTC multiples of their length.</summary>
    public static IReadOnlyList<DateTimeOffset> PeriodStarts(AlertRule rule, DateTimeOffset now)
    {
        var end = Floor(now, rule.Period);
        return Enumerable.Range(0, rule.EvaluationPeriods).Select(i => end - (rule.EvaluationPeriods - i) * rule.Period).ToList();
    }

    /// <summary>Where the points a rule needs start and end: [from, to).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Window(AlertRule rule, DateTimeOffset now)
    {
        var starts = PeriodStarts(rule, now);
        return (starts[0], starts[^1] + rule.Period);
    }

    public static DateTimeOffset Floor(DateTimeOffset at, TimeSpan step) =>
        new(at.UtcTicks - (at.UtcTicks % step.Ticks), TimeSpan.Zero);

    /// <param name="points">The instance's points of <see cref="AlertRule.Metric"/>; others are ignored.</param>
    /// <param name="status">The latest status checks, for status-check rules: "impaired" counts for the latest period.</param>
    /// <param name="baseline">The instance's baseline, for anomaly rules.</param>
    public static Evaluation Evaluate(AlertRule rule, IEnumerable<MetricPoint> points, DateTimeOffset now, InstanceStatusReport? status = null, AnomalyBaseline? baseline = null)
    {
        var starts = PeriodStarts(rule, now);
        var values = new double?[starts.Count];
        var byPeriod = points.Where(p => p.Metric == rule.Metric).GroupBy(p => Floor(p.At, rule.Period)).ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToList());
        for (var i = 0; i < starts.Count; i++)
        {
            values[i] = byPeriod.TryGetValue(starts[i], out var list) && list.Count > 0 ? Reduce(rule.Statistic, list) : null;
        }

        var missing = values.Count(v => v is null);
        var latest = values.LastOrDefault(v => v is not null);
        var metric = MetricInfo.Of(rule.Metric);
        switch (rule.Kind)
        {
            case RuleKind.NoData:
                return missing == values.Length
                    ? new Evaluation(EvaluationState.Breaching, null, values.Length, missing, $"no {metric.Label} data for {values.Length} × {rule.Period.TotalMinutes:0} min")
                    : new Evaluation(EvaluationState.Ok, latest, 0, missing, $"{values.Length - missing} of {values.Length} periods have data");

            case RuleKind.StatusCheck:
            {
                var breaching = values.Count(v => v >= 1);
                if (status is { Impaired: true } && values[^1] is not >= 1)
                {
                    breaching++;
                    missing = values[^1] is null ? missing - 1 : missing;
                }

                if (missing == values.Length)
                {
                    return new Evaluation(EvaluationState.NoData, null, 0, missing, "no status-check data");
                }

                return breaching >= rule.DatapointsToAlarm
                    ? new Evaluation(EvaluationState.Breaching, 1, breaching, missing, $"status check failed in {breaching} of {values.Length} periods{(status is { Impaired: true } ? $" (system {Describe(status.System)}, instance {Describe(status.InstanceCheck)})" : string.Empty)}")
                    : new Evaluation(EvaluationState.Ok, latest, breaching, missing, $"status check failed in {breaching} of {values.Length} periods");
            }

            case RuleKind.Anomaly:
                return EvaluateAnomaly(rule, starts, values, baseline, metric);

            case RuleKind.Threshold:
            default:
            {
                if (missing == values.Length)
                {
                    return new Evaluation(EvaluationState.NoData, null, 0, missing, $"no {metric.Label} data");
                }

                var breaching = values.Count(v => v is { } x && Compare(rule.Comparison, x, rule.Threshold));
                var detail = $"{rule.Statistic} {metric.Label} {metric.Format(latest ?? 0)} (threshold {AlertRule.Symbol(rule.Comparison)} {metric.Format(rule.Threshold)}), {breaching} of {values.Length} periods breach";
                return new Evaluation(breaching >= rule.DatapointsToAlarm ? EvaluationState.Breaching : EvaluationState.Ok, latest, breaching, missing, detail);
            }
        }
    }

    public static bool Compare(Comparison comparison, double value, double threshold) => comparison switch
    {
        Comparison.GreaterThan => value > threshold,
        Comparison.GreaterThanOrEqual => value >= threshold,
        Comparison.LessThan => value < threshold,
        Comparison.LessThanOrEqual => value <= threshold,
    };

    public static double Reduce(Statistic statistic, IReadOnlyList<double> values) => statistic switch
    {
        Statistic.Average => values.Average(),
        Statistic.Maximum => values.Max(),
        Statistic.Minimum => values.Min(),
        Statistic.Sum => values.Sum(),
    };

    private static Evaluation EvaluateAnomaly(AlertRule rule, IReadOnlyList<DateTimeOffset> starts, double?[] values, AnomalyBaseline? baseline, MetricInfo metric)
    {
        var breaching = 0;
        var judged = 0;
        string? worst = null;
        var worstScore = 0.0;
        for (var i = 0; i < starts.Count; i++)
        {
            if (values[i] is not { } value || baseline?.Expected(starts[i], metric) is not { } expected)
            {
                continue;
            }

            judged++;
            var score = Math.Abs(value - expected.Mean) / expected.Spread;
            if (score > rule.Threshold)
            {
                breaching++;
            }

            if (score >= worstScore)
            {
                worstScore = score;
                worst = $"{metric.Format(value)} against a usual {metric.Format(expected.Mean)} ± {metric.Format(expected.Spread)} ({score:0.#} σ)";
            }
        }

        if (judged == 0)
        {
            return new Evaluation(EvaluationState.NoData, values.LastOrDefault(v => v is not null), 0, values.Length, "no data or no baseline yet for these hours of the week");
        }

        return new Evaluation(breaching >= rule.DatapointsToAlarm ? EvaluationState.Breaching : EvaluationState.Ok, values.LastOrDefault(v => v is not null), breaching, values.Length - judged,
            $"{breaching} of {values.Length} periods outside ±{rule.Threshold:0.#} σ; {worst}");
    }

    private static string Describe(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "ok",
        CheckStatus.Impaired => "impaired",
        CheckStatus.InsufficientData => "insufficient data",
        CheckStatus.NotApplicable => "not applicable",
        CheckStatus.Initializing => "initializing",
    };
}

/// <summary>What a value usually is at one hour of the week: mean and spread (standard deviation, never below a floor).</summary>
public sealed record Expectation(double Mean, double Spread, int Samples);

/// <summary>
/// An instance's own baseline of a metric for each hour of the week (UTC), from its past values. An hour with fewer than
/// <see cref="MinSamples"/> values has no baseline yet, and the anomaly rule does not judge it.
/// </summary>
public sealed class AnomalyBaseline
{
    public const int MinSamples = 6;

    private readonly (int Count, double Mean, double M2)[] _cells = new (int, double, double)[7 * 24];

    public static AnomalyBaseline Build(IEnumerable<MetricPoint> history)
    {
        var baseline = new AnomalyBaseline();
        foreach (var point in history)
        {
            baseline.Add(point.At, point.Value);
        }

        return baseline;
    }

    public static int HourOfWeek(DateTimeOffset at) => ((int)at.UtcDateTime.DayOfWeek * 24) + at.UtcDateTime.Hour;

    /// <summary>Adds one value (Welford's running mean and variance).</summary>
    public void Add(DateTimeOffset at, double value)
    {
        ref var cell = ref _cells[HourOfWeek(at)];
        cell.Count++;
        var delta = value - cell.Mean;
        cell.Mean += delta / cell.Count;
        cell.M2 += delta * (value - cell.Mean);
    }

    public Expectation? Expected(DateTimeOffset at, MetricInfo metric)
    {
        var cell = _cells[HourOfWeek(at)];
        if (cell.Count < MinSamples)
        {
            return null;
        }

        var deviation = Math.Sqrt(cell.M2 / (cell.Count - 1));
        // A flat history would make any wobble "infinitely" unusual: the spread never falls below 5 % of the mean or a unit floor.
        var floor = Math.Max(Math.Abs(cell.Mean) * 0.05, metric.Unit == "%" ? 1 : metric.Unit == "bytes" ? 1024 : 0.1);
        return new Expectation(cell.Mean, Math.Max(deviation, floor), cell.Count);
    }
}
