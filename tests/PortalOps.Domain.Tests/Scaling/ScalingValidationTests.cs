using PortalOps.Domain.Scaling;

namespace PortalOps.Domain.Tests.Scaling;

public sealed class ScalingValidationTests
{
    [Theory]
    [InlineData(5, 3, 4, CapacityChange.MaxField)]
    [InlineData(1, 6, 4, CapacityChange.DesiredField)]
    [InlineData(2, 1, 4, CapacityChange.DesiredField)]
    [InlineData(-1, 0, 4, CapacityChange.MinField)]
    [InlineData(0, 0, 20_000, CapacityChange.MaxField)]
    public void CapacityCheck_BadValue_NamesItsField(int min, int desired, int max, string field)
    {
        var problems = new CapacityChange(min, desired, max).Check();

        Assert.True(problems.ContainsKey(field), string.Join(" | ", problems.Select(p => $"{p.Key}: {p.Value}")));
    }

    [Fact]
    public void CapacityCheck_WithinBounds_HasNoProblem() => Assert.Empty(new CapacityChange(0, 0, 10).Check());

    [Theory]
    [InlineData("0 8 * * MON-FRI")]
    [InlineData("*/15 * * * *")]
    [InlineData("0 0 29 2 *")]
    [InlineData("30 22 31 1,2 *")]
    [InlineData("0 0 30 2 1")]
    public void Cron_Valid_Parses(string text) => Assert.NotNull(CronRecurrence.TryParse(text, out _));

    [Theory]
    [InlineData("0 0 30 2 *", "never fires")]
    [InlineData("0 0 31 4,6,9,11 *", "never fires")]
    [InlineData("0 25 * * *", "hour")]
    [InlineData("0 8 * *", "five fields")]
    [InlineData("0 8 * * FUNDAY", "day of week")]
    [InlineData("*/0 * * * *", "step")]
    public void Cron_Invalid_SaysWhy(string text, string expected)
    {
        Assert.Null(CronRecurrence.TryParse(text, out var problem));
        Assert.Contains(expected, problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ScheduledActionCheck_EveryBadValue_GetsAMessageAtItsField()
    {
        var action = new ScheduledAction("bad:name") { Recurrence = "0 0 30 2 *", TimeZone = "Mars/Olympus_Mons", MinSize = 5, MaxSize = 2, DesiredCapacity = 9, EndTime = Make.Now.AddDays(-1) };

        var problems = action.Check(Make.Now);

        Assert.Equal(
            new[] { ScheduledAction.NameField, ScheduledAction.RecurrenceField, ScheduledAction.TimeZoneField, ScheduledAction.EndField, ScheduledAction.MaxField, ScheduledAction.DesiredField }.Order(),
            problems.Keys.Order());
        Assert.Contains("not a time zone", problems[ScheduledAction.TimeZoneField], StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduledActionCheck_OneOffInThePast_IsRefusedAtStart()
    {
        var problems = new ScheduledAction("once") { StartTime = Make.Now.AddHours(-1), DesiredCapacity = 2 }.Check(Make.Now);

        Assert.Equal([ScheduledAction.StartField], problems.Keys);
    }

    [Fact]
    public void ScheduledActionCheck_RecurringInAZone_IsAccepted() =>
        Assert.Empty(new ScheduledAction("nights") { Recurrence = "0 20 * * MON-FRI", TimeZone = "Europe/Berlin", MinSize = 0, DesiredCapacity = 0 }.Check(Make.Now));

    [Theory]
    [InlineData(TrackedMetric.Cpu, 0)]
    [InlineData(TrackedMetric.Cpu, 150)]
    [InlineData(TrackedMetric.NetworkIn, -5)]
    public void PolicyCheck_TargetOutOfRange_NamesTargetValue(TrackedMetric metric, double target)
    {
        var problems = new ScalingPolicy("cpu", PolicyKind.TargetTracking) { Metric = metric, TargetValue = target }.Check();

        Assert.Equal([ScalingPolicy.TargetValueField], problems.Keys);
    }

    [Fact]
    public void PolicyCheck_RequestCountWithoutTargetGroup_NamesResourceLabel()
    {
        var problems = new ScalingPolicy("rps", PolicyKind.TargetTracking) { Metric = TrackedMetric.RequestCountPerTarget, TargetValue = 1000 }.Check();

        Assert.Equal([ScalingPolicy.ResourceLabelField], problems.Keys);
    }

    [Fact]
    public void PolicyCheck_OverlappingSteps_NamesSteps()
    {
        var problems = new ScalingPolicy("steps", PolicyKind.Step) { Steps = [new(0, 20, 1), new(10, null, 2)] }.Check();

        Assert.Contains("overlap", problems[ScalingPolicy.StepsField], StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyCheck_SimpleWithZeroAdjustmentAndNegativeCooldown_NamesBoth()
    {
        var problems = new ScalingPolicy("simple", PolicyKind.Simple) { Adjustment = 0, Cooldown = -1 }.Check();

        Assert.Equal(new[] { ScalingPolicy.AdjustmentField, ScalingPolicy.CooldownField }.Order(), problems.Keys.Order());
    }

    [Fact]
    public void Policy_RoundTripsThroughJson()
    {
        var policy = new ScalingPolicy("steps", PolicyKind.Step) { AdjustmentType = AdjustmentType.PercentChangeInCapacity, Steps = [new(0, 20, 10), new(20, null, 30)], WarmupSeconds = 60 };

        var back = ScalingPolicy.FromJson(policy.ToJson())!;

        Assert.Equal(policy.Steps, back.Steps);
        Assert.Equal((policy.Kind, policy.AdjustmentType, policy.WarmupSeconds), (back.Kind, back.AdjustmentType, back.WarmupSeconds));
    }
}
