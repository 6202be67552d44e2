using PortalOps.Domain.Scaling;

namespace PortalOps.Domain.Tests.Scaling;

public sealed class OffHoursScheduleTests
{
    private static readonly OffHoursSchedule Office = new("office", "Europe/Berlin",
        [
            .. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
                .Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))),
            new SchedulePeriod(DayOfWeek.Sunday, new TimeOnly(2, 30), new TimeOnly(6, 0)),
        ],
        [new DateOnly(2026, 12, 25)]);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Edges_AcrossTheSpringChange_FollowLocalTime()
    {
        // Europe/Berlin moves from UTC+1 to UTC+2 at 02:00 local on Sunday 29 March 2026.
        var before = Office.EdgesBetween(Utc(3, 23, 0), Utc(3, 24, 0));
        var after = Office.EdgesBetween(Utc(3, 30, 0), Utc(3, 31, 0));

        Assert.Equal([new ScheduleEdge(Utc(3, 23, 7), EdgeKind.Start), new ScheduleEdge(Utc(3, 23, 18), EdgeKind.Stop)], before);
        Assert.Equal([new ScheduleEdge(Utc(3, 30, 6), EdgeKind.Start), new ScheduleEdge(Utc(3, 30, 17), EdgeKind.Stop)], after);
    }

    [Fact]
    public void Edges_StartInsideTheSkippedHour_HappenWhenTheClockResumes()
    {
        // 02:30 does not exist on 29 March in Berlin: the clock jumps from 02:00 to 03:00 (01:00 UTC).
        var sunday = Office.EdgesBetween(Utc(3, 29, 0), Utc(3, 29, 12));

        Assert.Equal([new ScheduleEdge(Utc(3, 29, 1), EdgeKind.Start), new ScheduleEdge(Utc(3, 29, 4), EdgeKind.Stop)], sunday);
        Assert.True(Office.ShouldRunAt(Utc(3, 29, 1, 30)));
    }

    [Fact]
    public void Holiday_HasNoEdgesAndNeverRuns()
    {
        Assert.Empty(Office.EdgesBetween(Utc(12, 25, 0), Utc(12, 26, 0)));
        Assert.False(Office.ShouldRunAt(Utc(12, 25, 10)));
        Assert.True(Office.ShouldRunAt(Utc(12, 24, 10)));
    }

    [Fact]
    public void LastEdge_IsTheSameForEveryMomentUntilTheNext_SoTwoRunsActOnce()
    {
        var first = Office.LastEdgeAtOrBefore(Utc(3, 24, 7, 0));
        var later = Office.LastEdgeAtOrBefore(Utc(3, 24, 12, 0));

        Assert.Equal(new ScheduleEdge(Utc(3, 24, 7), EdgeKind.Start), first);
        Assert.Equal(first, later);
    }

    [Fact]
    public void Check_OverlappingPeriodsAndUnknownZone_NameTheirFields()
    {
        var bad = new OffHoursSchedule("dev", "Mars/Olympus_Mons",
            [new SchedulePeriod(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)), new SchedulePeriod(DayOfWeek.Monday, new TimeOnly(11, 0), new TimeOnly(18, 0))], []);

        var problems = bad.Check();

        Assert.Contains("overlap", problems[OffHoursSchedule.PeriodsField], StringComparison.Ordinal);
        Assert.Contains("not a time zone", problems[OffHoursSchedule.TimeZoneField], StringComparison.Ordinal);
        Assert.Empty(Office.Check());
    }
}
