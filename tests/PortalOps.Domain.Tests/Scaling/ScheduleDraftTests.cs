using PortalOps.Domain.Scaling;

namespace PortalOps.Domain.Tests.Scaling;

public sealed class ScheduleDraftTests
{
    private static Dictionary<DayOfWeek, string?> Days(params (DayOfWeek Day, string Text)[] days) => days.ToDictionary(d => d.Day, d => (string?)d.Text);

    [Fact]
    public void EveryBadValue_GetsAMessageAtItsOwnField()
    {
        var draft = new ScheduleDraft("bad name!", "Mars/Olympus_Mons",
            Days((DayOfWeek.Monday, "08:00-12:00, 11:00-18:00"), (DayOfWeek.Tuesday, "19:00-08:00"), (DayOfWeek.Wednesday, "eight to five")),
            "2026-12-25, 25.12.2026", "12345", "Ireland");

        var problems = draft.Problems();

        Assert.Contains("letters, digits", problems[ScheduleDraft.NameField], StringComparison.Ordinal);
        Assert.Contains("not a time zone", problems[ScheduleDraft.TimeZoneField], StringComparison.Ordinal);
        Assert.Contains("overlap", problems[ScheduleDraft.DayField(DayOfWeek.Monday)], StringComparison.Ordinal);
        Assert.Contains("before the stop", problems[ScheduleDraft.DayField(DayOfWeek.Tuesday)], StringComparison.Ordinal);
        Assert.Contains("not a period", problems[ScheduleDraft.DayField(DayOfWeek.Wednesday)], StringComparison.Ordinal);
        Assert.Contains("25.12.2026", problems[ScheduleDraft.HolidaysField], StringComparison.Ordinal);
        Assert.Contains("12 digits", problems[ScheduleDraft.AccountField], StringComparison.Ordinal);
        Assert.Contains("region", problems[ScheduleDraft.RegionField], StringComparison.Ordinal);
        Assert.False(problems.ContainsKey(ScheduleDraft.DayField(DayOfWeek.Thursday)));
    }

    [Fact]
    public void NoPeriodAtAll_IsAProblem()
    {
        var problems = new ScheduleDraft("empty", "UTC", Days()).Problems();

        Assert.Contains("at least one running period", problems[ScheduleDraft.DayField(DayOfWeek.Monday)], StringComparison.Ordinal);
    }

    [Fact]
    public void AGoodDraft_RoundTripsThroughItsContent()
    {
        var draft = new ScheduleDraft("office", "Europe/Berlin", Days((DayOfWeek.Monday, "08:00-12:00, 13:00-19:00"), (DayOfWeek.Friday, "8:00-24:00")), "2026-12-25 2026-12-24", "123456789012", "eu-west-1");

        Assert.Empty(draft.Problems());
        var content = draft.ToContent();

        Assert.Equal(3, content.Periods.Count);
        Assert.Equal([new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 25)], content.Holidays);
        Assert.Empty(content.Schedule.Check());
        var again = ScheduleDraft.Of(content);
        Assert.Equal("08:00-12:00, 13:00-19:00", again.Days[DayOfWeek.Monday]);
        Assert.Equal("08:00-24:00", again.Days[DayOfWeek.Friday]);
        Assert.Equal("2026-12-24, 2026-12-25", again.Holidays);
    }

    [Fact]
    public void TodayAt_MeansTodayInTheZone_OrTomorrowWhenPast()
    {
        var now = new DateTimeOffset(2026, 3, 23, 17, 0, 0, TimeSpan.Zero); // 18:00 in Berlin

        Assert.Equal(new DateTimeOffset(2026, 3, 23, 21, 0, 0, TimeSpan.Zero), OffHoursOperations.TodayAt("22:00", "Europe/Berlin", now));
        Assert.Equal(new DateTimeOffset(2026, 3, 24, 6, 0, 0, TimeSpan.Zero), OffHoursOperations.TodayAt("07:00", "Europe/Berlin", now));
        Assert.Null(OffHoursOperations.TodayAt("25:00", "Europe/Berlin", now));
        Assert.Null(OffHoursOperations.TodayAt("22:00", "Nowhere/Else", now));
    }

    [Fact]
    public void RunningLimit_ParsesKeyValueHours()
    {
        Assert.Equal(new RunningLimit("env", "dev", 8), RunningLimit.Parse("env=dev:8"));
        Assert.Null(RunningLimit.Parse("env:dev"));
        Assert.Null(RunningLimit.Parse("env=dev:-1"));
    }
}
