namespace PortalOps.Domain.Scaling;

/// <summary>A running period on one weekday, in the schedule's local time: running from <see cref="Start"/> until <see cref="Stop"/>.</summary>
public sealed record SchedulePeriod(DayOfWeek Day, TimeOnly Start, TimeOnly Stop);

public enum EdgeKind
{
    Start,
    Stop,
}

/// <summary>A moment where a schedule's state changes, in UTC.</summary>
public sealed record ScheduleEdge(DateTimeOffset At, EdgeKind Kind);

/// <summary>
/// An off-hours schedule: when resources should run (periods per weekday in a time zone), and days they never run (holidays, by
/// local date). Pure: what state a moment calls for, and the edges between two moments, across daylight-saving changes (a start
/// inside a skipped hour happens when the clock resumes; a time that occurs twice happens the first time).
/// </summary>
public sealed record OffHoursSchedule(string Name, string TimeZone, IReadOnlyList<SchedulePeriod> Periods, IReadOnlyList<DateOnly> Holidays)
{
    public const string NameField = nameof(Name);
    public const string TimeZoneField = nameof(TimeZone);
    public const string PeriodsField = nameof(Periods);

    public IReadOnlyDictionary<string, string> Check()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 128)
        {
            problems[NameField] = "Name the schedule (at most 128 characters).";
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? string.Empty, out _))
        {
            problems[TimeZoneField] = $"'{TimeZone}' is not a time zone; use an IANA name such as Europe/Berlin.";
        }

        if (Periods.Count == 0)
        {
            problems[PeriodsField] = "Add at least one running period.";
        }
        else if (Periods.FirstOrDefault(p => p.Start >= p.Stop) is { } backwards)
        {
            problems[PeriodsField] = $"{backwards.Day}: the start ({backwards.Start:HH\\:mm}) must be before the stop ({backwards.Stop:HH\\:mm}).";
        }
        else if (Periods.GroupBy(p => p.Day).FirstOrDefault(d => Overlaps(d.OrderBy(p => p.Start).ToList())) is { } day)
        {
            problems[PeriodsField] = $"{day.Key}: periods overlap.";
        }

        return problems;
    }

    /// <summary>Whether resources on this schedule should be running at <paramref name="at"/>.</summary>
    public bool ShouldRunAt(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return !Holidays.Contains(date) && Periods.Any(p => p.Day == local.DayOfWeek && p.Start <= time && time < p.Stop);
    }

    /// <summary>The edges in [<paramref name="from"/>, <paramref name="to"/>), in order.</summary>
    public IReadOnlyList<ScheduleEdge> EdgesBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var zone = Zone;
        var edges = new List<ScheduleEdge>();
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, zone).DateTime).AddDays(1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (Holidays.Contains(day))
            {
                continue;
            }

            foreach (var period in Periods.Where(p => p.Day == day.DayOfWeek))
            {
                edges.Add(new ScheduleEdge(ToUtc(day.ToDateTime(period.Start), zone), EdgeKind.Start));
                edges.Add(new ScheduleEdge(ToUtc(day.ToDateTime(period.Stop), zone), EdgeKind.Stop));
            }
        }

        return edges.Where(e => e.At >= from && e.At < to).OrderBy(e => e.At).ToList();
    }

    /// <summary>The latest edge at or before <paramref name="at"/> within a week (null: none) — what a scheduler acts on once.</summary>
    public ScheduleEdge? LastEdgeAtOrBefore(DateTimeOffset at) => EdgesBetween(at.AddDays(-8), at.AddTicks(1)).LastOrDefault();

    private TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    private static bool Overlaps(IReadOnlyList<SchedulePeriod> sorted) =>
        sorted.Zip(sorted.Skip(1)).Any(pair => pair.Second.Start < pair.First.Stop);

    private static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        // A local time skipped by a clock change happens when the clock resumes.
        var guard = 0;
        while (zone.IsInvalidTime(local) && guard++ < 240)
        {
            local = local.AddMinutes(1);
        }

        // A local time that occurs twice happens the first time (the larger offset).
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset).ToUniversalTime();
    }
}
