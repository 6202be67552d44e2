using System.Globalization;
using System.Text.RegularExpressions;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// A schedule as a person types it: the running periods of each weekday as text ("08:00-19:00, 20:00-22:00"), holidays as dates
/// ("2026-12-24, 2026-12-25"). <see cref="Problems"/> names every bad field — one message per weekday, so an overlap is shown where
/// it is — and <see cref="ToContent"/> makes the stored form once there are none.
/// </summary>
public sealed partial record ScheduleDraft(
    string? Name,
    string? TimeZone,
    IReadOnlyDictionary<DayOfWeek, string?> Days,
    string? Holidays = null,
    string? AccountId = null,
    string? Region = null,
    bool Enabled = true)
{
    public const string NameField = "Name";
    public const string TimeZoneField = "TimeZone";
    public const string HolidaysField = "Holidays";
    public const string AccountField = "AccountId";
    public const string RegionField = "Region";

    /// <summary>The field of one weekday's periods.</summary>
    public static string DayField(DayOfWeek day) => $"Periods.{day}";

    /// <summary>Monday first, as people read a week.</summary>
    public static IReadOnlyList<DayOfWeek> Week { get; } =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public IReadOnlyDictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = Name?.Trim() ?? string.Empty;
        if (!NamePattern().IsMatch(name))
        {
            problems[NameField] = "Name the schedule with 1 to 64 letters, digits, '.', '_' or '-' (it is the value of the tag that attaches resources).";
        }

        if (string.IsNullOrWhiteSpace(TimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone.Trim(), out _))
        {
            problems[TimeZoneField] = $"'{TimeZone}' is not a time zone; use an IANA name such as Europe/Berlin.";
        }

        if (!string.IsNullOrWhiteSpace(AccountId) && !AccountPattern().IsMatch(AccountId.Trim()))
        {
            problems[AccountField] = "An account id is 12 digits (or leave it empty for every account).";
        }

        if (!string.IsNullOrWhiteSpace(Region) && !RegionPattern().IsMatch(Region.Trim()))
        {
            problems[RegionField] = $"'{Region}' is not a region name such as eu-west-1 (or leave it empty for every region).";
        }

        var any = false;
        foreach (var day in Week)
        {
            var (periods, problem) = ParseDay(day, Days.GetValueOrDefault(day));
            if (problem is not null)
            {
                problems[DayField(day)] = problem;
            }

            any |= periods.Count > 0;
        }

        if (!any && !Week.Any(d => problems.ContainsKey(DayField(d))))
        {
            problems[DayField(DayOfWeek.Monday)] = "Add at least one running period (such as 08:00-19:00) on some day.";
        }

        if (ParseHolidays(Holidays).Problem is { } holidayProblem)
        {
            problems[HolidaysField] = holidayProblem;
        }

        return problems;
    }

    /// <summary>The stored form; call only when <see cref="Problems"/> is empty.</summary>
    public ScheduleContent ToContent() => new(
        Name!.Trim(),
        TimeZone!.Trim(),
        Week.SelectMany(d => ParseDay(d, Days.GetValueOrDefault(d)).Periods).ToList(),
        ParseHolidays(Holidays).Dates,
        string.IsNullOrWhiteSpace(AccountId) ? null : AccountId.Trim(),
        string.IsNullOrWhiteSpace(Region) ? null : Region.Trim(),
        Enabled);

    /// <summary>The draft of a stored schedule, for editing.</summary>
    public static ScheduleDraft Of(ScheduleContent content) => new(
        content.Name,
        content.TimeZone,
        Week.ToDictionary(d => d, d => (string?)FormatDay(content.Periods.Where(p => p.Day == d))),
        string.Join(", ", content.Holidays.Order().Select(h => h.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
        content.AccountId,
        content.Region,
        content.Enabled);

    /// <summary>"08:00-19:00, 20:00-22:00" (empty for a day without periods).</summary>
    public static string FormatDay(IEnumerable<SchedulePeriod> periods) =>
        string.Join(", ", periods.OrderBy(p => p.Start).Select(p => $"{p.Start:HH\\:mm}-{(p.Stop == TimeOnly.MaxValue ? "24:00" : p.Stop.ToString("HH\\:mm", CultureInfo.InvariantCulture))}"));

    /// <summary>One day's periods, or the reason they cannot be read (unreadable, start not before stop, overlapping).</summary>
    public static (IReadOnlyList<SchedulePeriod> Periods, string? Problem) ParseDay(DayOfWeek day, string? text)
    {
        var periods = new List<SchedulePeriod>();
        foreach (var part in (text ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !TryTime(part[..dash], out var start) || !TryTime(part[(dash + 1)..], out var stop))
            {
                return ([], $"'{part}' is not a period; write it as HH:mm-HH:mm, such as 08:00-19:00.");
            }

            if (start >= stop)
            {
                return ([], $"{part}: the start must be before the stop (a night shift is two periods: 22:00-24:00 and 00:00-06:00 the next day).");
            }

            periods.Add(new SchedulePeriod(day, start, stop));
        }

        var sorted = periods.OrderBy(p => p.Start).ToList();
        var overlap = sorted.Zip(sorted.Skip(1)).FirstOrDefault(pair => pair.Second.Start < pair.First.Stop);
        if (overlap != default)
        {
            return ([], $"{FormatDay([overlap.First])} and {FormatDay([overlap.Second])} overlap; join them or move one.");
        }

        return (sorted, null);
    }

    public static (IReadOnlyList<DateOnly> Dates, string? Problem) ParseHolidays(string? text)
    {
        var dates = new List<DateOnly>();
        foreach (var part in (text ?? string.Empty).Split([',', ';', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return ([], $"'{part}' is not a date; write holidays as yyyy-MM-dd, separated by commas.");
            }

            dates.Add(date);
        }

        return (dates.Distinct().Order().ToList(), null);
    }

    private static bool TryTime(string text, out TimeOnly time)
    {
        text = text.Trim();
        if (text == "24:00")
        {
            time = TimeOnly.MaxValue;
            return true;
        }

        return TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    private static partial Regex RegionPattern();
}
