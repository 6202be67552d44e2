using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Tests.Monitoring;

public sealed class RuleEvaluatorTests
{
    private static readonly DateTimeOffset Now = Make.Now.AddMinutes(2);
    private static readonly PortalOps.Domain.Instances.InstanceRef Web = Make.Instance("i-0web1").Ref;

    [Fact]
    public void Threshold_ThreeOfFivePeriodsAbove_Breaches()
    {
        var rule = Rules.Rule();

        var result = RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, 50, 90, 60, 95, 99), Now);

        Assert.Equal(EvaluationState.Breaching, result.State);
        Assert.Equal(3, result.BreachingPeriods);
        Assert.Equal(99, result.Value);
    }

    [Fact]
    public void Threshold_TwoOfFivePeriodsAbove_StaysOk()
    {
        var result = RuleEvaluator.Evaluate(Rules.Rule(), Rules.Series(Web, MetricKind.Cpu, Now, 50, 90, 60, 40, 99), Now);

        Assert.Equal(EvaluationState.Ok, result.State);
        Assert.Equal(2, result.BreachingPeriods);
    }

    [Fact]
    public void Threshold_ValueEqualToThreshold_BreachesOnlyWithOrEqual()
    {
        var points = Rules.Series(Web, MetricKind.Cpu, Now, 80, 80, 80);
        var strict = Rules.Rule(d => (d.EvaluationPeriods, d.DatapointsToAlarm) = (3, 3));
        var inclusive = Rules.Rule(d => (d.EvaluationPeriods, d.DatapointsToAlarm, d.Comparison) = (3, 3, Comparison.GreaterThanOrEqual));

        Assert.Equal(EvaluationState.Ok, RuleEvaluator.Evaluate(strict, points, Now).State);
        Assert.Equal(EvaluationState.Breaching, RuleEvaluator.Evaluate(inclusive, points, Now).State);
    }

    [Fact]
    public void Threshold_MissingPeriods_NeverCountAsBreaching()
    {
        var rule = Rules.Rule();

        var result = RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, null, 95, null, 99, null), Now);

        Assert.Equal(EvaluationState.Ok, result.State);
        Assert.Equal(3, result.MissingPeriods);
    }

    [Fact]
    public void Threshold_MetricWithNoDataAtAll_IsNoDataNotAnAlarm()
    {
        var rule = Rules.Rule(d => (d.Comparison, d.Threshold) = (Comparison.LessThan, 5));

        var result = RuleEvaluator.Evaluate(rule, [], Now);

        Assert.Equal(EvaluationState.NoData, result.State);
    }

    [Fact]
    public void Threshold_PointsOfAnotherMetric_AreIgnored()
    {
        var result = RuleEvaluator.Evaluate(Rules.Rule(), Rules.Series(Web, MetricKind.NetworkIn, Now, 1e9, 1e9, 1e9, 1e9, 1e9), Now);

        Assert.Equal(EvaluationState.NoData, result.State);
    }

    [Fact]
    public void Threshold_LongerPeriod_ReducesPointsWithTheStatistic()
    {
        // Two 15-minute periods of three 5-minute points each; one spike per period.
        var points = Rules.Series(Web, MetricKind.Cpu, Make.Now, 10, 10, 95, 10, 96, 10);
        var average = Rules.Rule(d => (d.PeriodMinutes, d.EvaluationPeriods, d.DatapointsToAlarm) = (15, 2, 2));
        var maximum = Rules.Rule(d => (d.PeriodMinutes, d.EvaluationPeriods, d.DatapointsToAlarm, d.Statistic) = (15, 2, 2, Statistic.Maximum));

        Assert.Equal(EvaluationState.Ok, RuleEvaluator.Evaluate(average, points, Make.Now).State);
        Assert.Equal(EvaluationState.Breaching, RuleEvaluator.Evaluate(maximum, points, Make.Now).State);
    }

    [Fact]
    public void Threshold_PointsOutsideTheLastMPeriods_AreIgnored()
    {
        var rule = Rules.Rule(d => (d.EvaluationPeriods, d.DatapointsToAlarm) = (2, 1));
        var old = Rules.Series(Web, MetricKind.Cpu, Now.AddMinutes(-30), 99, 99, 99);

        Assert.Equal(EvaluationState.NoData, RuleEvaluator.Evaluate(rule, old, Now).State);
    }

    [Fact]
    public void NoData_AllPeriodsEmpty_Breaches_AndOnePointIsEnoughToStayOk()
    {
        var rule = Rules.Rule(d => (d.Kind, d.EvaluationPeriods) = (RuleKind.NoData, 3));

        Assert.Equal(EvaluationState.Breaching, RuleEvaluator.Evaluate(rule, [], Now).State);
        Assert.Equal(EvaluationState.Ok, RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, null, 3, null), Now).State);
    }

    [Fact]
    public void StatusCheck_FailedMetric_BreachesNOfM()
    {
        var rule = Rules.Rule(d => (d.Kind, d.EvaluationPeriods, d.DatapointsToAlarm) = (RuleKind.StatusCheck, 3, 2));

        Assert.Equal(EvaluationState.Breaching, RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.StatusCheck, Now, 0, 1, 1), Now).State);
        Assert.Equal(EvaluationState.Ok, RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.StatusCheck, Now, 0, 0, 1), Now).State);
    }

    [Fact]
    public void StatusCheck_ImpairedStatus_CountsForTheLatestPeriod()
    {
        var rule = Rules.Rule(d => (d.Kind, d.EvaluationPeriods, d.DatapointsToAlarm) = (RuleKind.StatusCheck, 3, 2));
        var impaired = new InstanceStatusReport(Web, CheckStatus.Impaired, CheckStatus.Ok, Now);

        var result = RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.StatusCheck, Now, 0, 1, null), Now, impaired);

        Assert.Equal(EvaluationState.Breaching, result.State);
        Assert.Contains("system impaired", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Anomaly_ValueFarFromTheSameHourLastWeek_Breaches_AndUsualValueDoesNot()
    {
        var rule = Rules.Rule(d => (d.Kind, d.Threshold, d.EvaluationPeriods, d.DatapointsToAlarm) = (RuleKind.Anomaly, 3, 3, 2));
        var random = new Random(7);
        var history = Enumerable.Range(0, 24).Select(i => new MetricPoint(Web, MetricKind.Cpu, Make.Now.AddDays(-7).AddMinutes(-60 + (i * 5)), 30 + random.NextDouble() * 4)).ToList();
        var baseline = AnomalyBaseline.Build(history);

        var spike = RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, 31, 75, 80), Now, baseline: baseline);
        var usual = RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, 31, 33, 29), Now, baseline: baseline);

        Assert.Equal(EvaluationState.Breaching, spike.State);
        Assert.Contains("σ", spike.Detail, StringComparison.Ordinal);
        Assert.Equal(EvaluationState.Ok, usual.State);
    }

    [Fact]
    public void Anomaly_ADropIsAsUnusualAsASpike()
    {
        var rule = Rules.Rule(d => (d.Kind, d.Threshold, d.EvaluationPeriods, d.DatapointsToAlarm) = (RuleKind.Anomaly, 3, 2, 2));
        var history = Enumerable.Range(0, 12).Select(i => new MetricPoint(Web, MetricKind.Cpu, Make.Now.AddDays(-7).AddMinutes(-30 + (i * 5)), 60 + (i % 3))).ToList();

        var result = RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, 2, 1), Now, baseline: AnomalyBaseline.Build(history));

        Assert.Equal(EvaluationState.Breaching, result.State);
    }

    [Fact]
    public void Anomaly_WithoutEnoughHistory_IsNoDataNotAnAlarm()
    {
        var rule = Rules.Rule(d => (d.Kind, d.Threshold) = (RuleKind.Anomaly, 3));
        var thin = AnomalyBaseline.Build(Rules.Series(Web, MetricKind.Cpu, Now.AddDays(-7), 30, 31));

        Assert.Equal(EvaluationState.NoData, RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, 99, 99, 99, 99, 99), Now, baseline: thin).State);
        Assert.Equal(EvaluationState.NoData, RuleEvaluator.Evaluate(rule, Rules.Series(Web, MetricKind.Cpu, Now, 99, 99, 99, 99, 99), Now).State);
    }

    [Fact]
    public void Baseline_FlatHistory_HasASpreadFloor()
    {
        var flat = AnomalyBaseline.Build(Enumerable.Range(0, 10).Select(i => new MetricPoint(Web, MetricKind.Cpu, Make.Now.AddMinutes(i), 40)));

        var expected = flat.Expected(Make.Now, MetricInfo.Of(MetricKind.Cpu));

        Assert.NotNull(expected);
        Assert.Equal(40, expected.Mean, 6);
        Assert.Equal(2, expected.Spread, 6);
    }

    [Fact]
    public void PeriodStarts_AreAlignedAndEndAtTheLastClosedPeriod()
    {
        var rule = Rules.Rule(d => d.EvaluationPeriods = 3);

        var starts = RuleEvaluator.PeriodStarts(rule, Make.Now.AddMinutes(7));

        Assert.Equal([Make.Now.AddMinutes(-10), Make.Now.AddMinutes(-5), Make.Now], starts);
    }
}
