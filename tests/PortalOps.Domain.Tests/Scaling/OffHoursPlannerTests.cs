using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;

namespace PortalOps.Domain.Tests.Scaling;

/// <summary>The scheduler's rules on a fake clock: edges across DST and holidays, once per edge, stay stopped, overrides, limits, drift.</summary>
public sealed class OffHoursPlannerTests
{
    private static readonly Guid OfficeId = Guid.Parse("0195a7a0-0000-7000-8000-000000000001");

    // Europe/Berlin, weekdays 08:00-19:00; Christmas off.
    private static readonly SavedSchedule Office = new(OfficeId, 1,
        new ScheduleContent("office", "Europe/Berlin",
            [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }.Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0)))],
            [new DateOnly(2026, 12, 25)]),
        Guid.Empty, "test", Make.Now);

    private readonly OffHoursPlanner _planner = new(new OffHoursSettings { RunningLimits = [new RunningLimit("env", "dev", 8)] });

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static ScheduleSubject Vm(bool running, string id = "i-0000000000000001", string schedule = "office", DateTimeOffset? since = null, string env = "prod") =>
        ScheduleSubject.Of(Make.Instance(id, state: running ? InstanceState.Running : InstanceState.Stopped, type: "m5.large", launched: since ?? Utc(1, 1, 0), tags: [$"Schedule={schedule}", $"env={env}"]))!;

    private static ScheduleSubject Group(int min, int desired, int max) =>
        ScheduleSubject.Of(new ScalingGroup(new GroupRef(Make.ProdAccount, "eu-west-1", "web"), min, desired, max, [], null, null, ["eu-west-1a"], [],
            Make.Tags("Schedule=office", "env=prod"), null));

    private static EdgeRecord Done(PlannedStep step, DateTimeOffset at) =>
        new(step.Key, step.Schedule?.Id, step.SourceName, step.Subject.Resource, step.At, step.Action, step.RecordOnly ?? EdgeOutcome.Done, step.Why, at)
        { Previous = step.Action == EdgeAction.Sleep ? step.Capacity : null };

    [Fact]
    public void StopEdge_StopsARunningInstanceOnce_ASecondRunDoesNothing()
    {
        // Monday 23 March 2026, 19:00 in Berlin is 18:00 UTC (winter time).
        var first = _planner.Plan(Utc(3, 23, 18, 0), [Office], [Vm(true)], [], []);

        var stop = Assert.Single(first.Steps);
        Assert.Equal((EdgeAction.Stop, Utc(3, 23, 18), (EdgeOutcome?)null), (stop.Action, stop.At, stop.RecordOnly));

        var second = _planner.Plan(Utc(3, 23, 18, 1), [Office], [Vm(true)], [], [Done(stop, Utc(3, 23, 18))]);
        Assert.Empty(second.Steps);
    }

    [Fact]
    public void StartEdge_AcrossTheSpringChange_FollowsLocalTime_AndStartsWhatTheScheduleStopped()
    {
        var friday = _planner.Plan(Utc(3, 27, 18, 0), [Office], [Vm(true)], [], []);
        var stopped = Done(Assert.Single(friday.Steps), Utc(3, 27, 18, 0));

        // Before the clocks change, 08:00 in Berlin was 07:00 UTC; on Monday 30 March it is 06:00 UTC.
        Assert.Empty(_planner.Plan(Utc(3, 30, 5, 59), [Office], [Vm(false)], [], [stopped]).Steps);
        var monday = _planner.Plan(Utc(3, 30, 6, 0), [Office], [Vm(false)], [], [stopped]);

        var start = Assert.Single(monday.Steps);
        Assert.Equal((EdgeAction.Start, Utc(3, 30, 6), (EdgeOutcome?)null), (start.Action, start.At, start.RecordOnly));
    }

    [Fact]
    public void Holiday_HasNoStart_AndAStoppedInstanceIsNoDrift()
    {
        var christmasEve = _planner.Plan(Utc(12, 24, 18, 0), [Office], [Vm(true)], [], []);
        var stopped = Done(Assert.Single(christmasEve.Steps), Utc(12, 24, 18, 0));

        var christmas = _planner.Plan(Utc(12, 25, 9, 0), [Office], [Vm(false)], [], [stopped]);

        Assert.Empty(christmas.Steps);
        Assert.Empty(christmas.Drift);
        var boxingDay = _planner.Plan(Utc(12, 28, 7, 0), [Office], [Vm(false)], [], [stopped]);
        Assert.Equal(EdgeAction.Start, Assert.Single(boxingDay.Steps).Action);
    }

    [Fact]
    public void StoppedByHandDuringAPeriod_StaysStopped_OnLaterEdges_AndIsNoDrift()
    {
        // The schedule started it on Tuesday morning; someone stopped it at noon.
        var tuesday = _planner.Plan(Utc(3, 24, 7, 0), [Office], [Vm(false)], [], [Done(Assert.Single(_planner.Plan(Utc(3, 23, 18, 0), [Office], [Vm(true)], [], []).Steps), Utc(3, 23, 18))]);
        var records = new List<EdgeRecord>
        {
            Done(Assert.Single(_planner.Plan(Utc(3, 23, 18, 0), [Office], [Vm(true)], [], []).Steps), Utc(3, 23, 18)),
            Done(Assert.Single(tuesday.Steps), Utc(3, 24, 7)),
        };

        var noon = _planner.Plan(Utc(3, 24, 11, 0), [Office], [Vm(false)], [], records);
        Assert.Empty(noon.Drift);
        Assert.Single(noon.StayingStopped);

        var evening = _planner.Plan(Utc(3, 24, 18, 0), [Office], [Vm(false)], [], records);
        var skippedStop = Assert.Single(evening.Steps);
        Assert.Equal((EdgeAction.Stop, EdgeOutcome.Skipped), (skippedStop.Action, skippedStop.RecordOnly));
        records.Add(Done(skippedStop, Utc(3, 24, 18)));

        var wednesday = _planner.Plan(Utc(3, 25, 7, 0), [Office], [Vm(false)], [], records);
        var stays = Assert.Single(wednesday.Steps);
        Assert.Equal((EdgeAction.Start, EdgeOutcome.Skipped), (stays.Action, stays.RecordOnly));
        Assert.Contains("stopped by someone", stays.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_KeepsRunningPastTheStop_ThenStopsWhenItEnds()
    {
        // Keep running until 22:00 in Berlin (21:00 UTC) on Monday 23 March.
        var keep = new ScheduleOverride(Guid.NewGuid(), Vm(true).Resource, Utc(3, 23, 21, 0), Guid.NewGuid(), "olga", "release", Utc(3, 23, 17, 0));

        var atStop = _planner.Plan(Utc(3, 23, 18, 0), [Office], [Vm(true)], [keep], []);
        Assert.Empty(atStop.Steps);
        Assert.Empty(atStop.Drift);

        var ended = _planner.Plan(Utc(3, 23, 21, 0), [Office], [Vm(true)], [keep], []);
        var stop = Assert.Single(ended.Steps);
        Assert.Equal((EdgeAction.Stop, Utc(3, 23, 21)), (stop.Action, stop.At));
        Assert.StartsWith("override:", stop.Key, StringComparison.Ordinal);
        Assert.Empty(_planner.Plan(Utc(3, 23, 21, 5), [Office], [Vm(true)], [keep], [Done(stop, Utc(3, 23, 21))]).Steps);
    }

    [Fact]
    public void RunningLimit_WarnsOnce_FifteenMinutesBefore_ThenStops_AndAKeepRunningMovesTheStop()
    {
        var started = Utc(3, 21, 8, 0); // a Saturday: no schedule edge in the way
        var dev = Vm(true, schedule: "none", since: started, env: "dev");

        Assert.Empty(_planner.Plan(started.AddHours(7).AddMinutes(44), [Office], [dev], [], []).Steps);
        var warn = Assert.Single(_planner.Plan(started.AddHours(7).AddMinutes(45), [Office], [dev], [], []).Steps);
        Assert.Equal((EdgeAction.Warn, started.AddHours(8)), (warn.Action, warn.StopsAt));
        Assert.Empty(_planner.Plan(started.AddHours(7).AddMinutes(50), [Office], [dev], [], [Done(warn, started.AddHours(7).AddMinutes(45))]).Steps);

        var stop = Assert.Single(_planner.Plan(started.AddHours(8), [Office], [dev], [], [Done(warn, started.AddHours(7).AddMinutes(45))]).Steps);
        Assert.Equal(EdgeAction.LimitStop, stop.Action);

        // Keep running (the warning's button) for two more hours: no stop at 8 h, a new warning before 10 h, the stop at 10 h.
        var keep = new ScheduleOverride(Guid.NewGuid(), dev.Resource, started.AddHours(10), Guid.NewGuid(), "olga", null, started.AddHours(7).AddMinutes(50));
        var records = new[] { Done(warn, started.AddHours(7).AddMinutes(45)) };
        Assert.Empty(_planner.Plan(started.AddHours(8), [Office], [dev], [keep], records).Steps);
        Assert.Equal(EdgeAction.Warn, Assert.Single(_planner.Plan(started.AddHours(9).AddMinutes(46), [Office], [dev], [keep], records).Steps).Action);
        Assert.Equal(EdgeAction.LimitStop, _planner.Plan(started.AddHours(10), [Office], [dev], [keep], records).Steps.Single(s => s.Action != EdgeAction.Warn).Action);
    }

    [Fact]
    public void Group_SleepsRememberingItsCapacity_AndWakesToIt()
    {
        var evening = Assert.Single(_planner.Plan(Utc(3, 23, 18, 0), [Office], [Group(2, 3, 6)], [], []).Steps);
        Assert.Equal((EdgeAction.Sleep, new CapacityChange(2, 3, 6)), (evening.Action, evening.Capacity));

        var morning = Assert.Single(_planner.Plan(Utc(3, 24, 7, 0), [Office], [Group(0, 0, 0)], [], [Done(evening, Utc(3, 23, 18))]).Steps);
        Assert.Equal((EdgeAction.Wake, new CapacityChange(2, 3, 6), (EdgeOutcome?)null), (morning.Action, morning.Capacity, morning.RecordOnly));

        // A group someone emptied by hand stays empty.
        var byHand = Assert.Single(_planner.Plan(Utc(3, 24, 7, 0), [Office], [Group(0, 0, 0)], [], []).Steps);
        Assert.Equal(EdgeOutcome.Skipped, byHand.RecordOnly);
    }

    [Fact]
    public void Drift_RunningOutsideThePeriods_IsListedAfterTheGrace()
    {
        Assert.Empty(_planner.Plan(Utc(3, 23, 18, 5), [Office], [Vm(true)], [], []).Drift);

        var late = _planner.Plan(Utc(3, 23, 20, 0), [Office], [Vm(true)], [], []);

        var drift = Assert.Single(late.Drift);
        Assert.False(drift.ShouldRun);
        Assert.Equal(Utc(3, 23, 18), drift.Since);
    }

    [Fact]
    public void ANewSchedule_DoesNotActOnEdgesBeforeItWasSaved()
    {
        var savedAfterTheStop = Office with { UpdatedAt = Utc(3, 23, 18, 30), CreatedAt = Utc(3, 23, 18, 30) };

        var tick = _planner.Plan(Utc(3, 23, 18, 40), [savedAfterTheStop], [Vm(true)], [], []);

        Assert.Empty(tick.Steps);
        Assert.Equal(EdgeAction.Stop, Assert.Single(_planner.Plan(Utc(3, 24, 18, 0), [savedAfterTheStop], [Vm(true)], [], []).Steps).Action);
    }

    [Fact]
    public void AdjacentPeriods_AndAPeriodToMidnight_MakeNoStopAndStart()
    {
        var shifts = new OffHoursSchedule("shifts", "UTC",
            [new(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)), new(DayOfWeek.Monday, new TimeOnly(12, 0), TimeOnly.MaxValue), new(DayOfWeek.Tuesday, new TimeOnly(0, 0), new TimeOnly(6, 0))], []);

        var edges = OffHoursPlanner.Edges(shifts, Utc(3, 23, 0), Utc(3, 25, 0));

        Assert.Equal([new ScheduleEdge(Utc(3, 23, 8), EdgeKind.Start), new ScheduleEdge(Utc(3, 24, 6), EdgeKind.Stop)], edges);
    }

    [Fact]
    public void Saving_IsThePriceOfTheHoursOff()
    {
        var saving = _planner.Saving(Office, [Vm(true)], [], Utc(3, 2, 0));

        // 55 of 168 hours a week running; m5.large in eu-west-1 is 0.107 USD an hour.
        Assert.Equal(1, saving.Resources);
        Assert.InRange(saving.OffShare, 0.66, 0.68);
        Assert.InRange(saving.PerMonth, 51m, 54m);
    }

    [Fact]
    public void Calendar_ListsTheNextWeeksEdgesWithTheirResources()
    {
        var entries = _planner.Calendar(Utc(3, 23, 0), Utc(3, 30, 0), [Office], [Vm(true), Vm(false, "i-0000000000000002")], []);

        Assert.Equal(10, entries.Count);
        Assert.All(entries, e => Assert.Equal(2, e.Resources));
        Assert.Equal((Utc(3, 23, 7), EdgeKind.Start), (entries[0].At, entries[0].Kind));
    }
}
