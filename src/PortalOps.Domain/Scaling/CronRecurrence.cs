using System.Globalization;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// A recurrence in Unix cron format, as Auto Scaling's scheduled actions take it: minute, hour, day of month, month, day of week.
/// Parsed only to check it before it is sent: that it is well formed, and that it fires at all (not "30 February").
/// </summary>
public sealed class CronRecurrence
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly int[] DaysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

    private CronRecurrence(HashSet<int> minutes, HashSet<int> hours, HashSet<int> days, HashSet<int> months, HashSet<int> weekdays, bool anyDay, bool anyWeekday)
    {
        Minutes = minutes;
        Hours = hours;
        Days = days;
        Months = months;
        Weekdays = weekdays;
        AnyDay = anyDay;
        AnyWeekday = anyWeekday;
    }

    public IReadOnlySet<int> Minutes { get; }

    public IReadOnlySet<int> Hours { get; }

    public IReadOnlySet<int> Days { get; }

    public IReadOnlySet<int> Months { get; }

    /// <summary>0 = Sunday … 6 = Saturday (7 is read as Sunday).</summary>
    public IReadOnlySet<int> Weekdays { get; }

    public bool AnyDay { get; }

    public bool AnyWeekday { get; }

    /// <summary>Parses <paramref name="text"/>; null and a message when it is malformed or never fires.</summary>
    public static CronRecurrence? TryParse(string? text, out string? problem)
    {
        problem = null;
        var fields = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            problem = "A recurrence has five fields: minute hour day-of-month month day-of-week (e.g. \"0 8 * * MON-FRI\").";
            return null;
        }

        var minutes = Field(fields[0], 0, 59, null, "minute", ref problem);
        var hours = Field(fields[1], 0, 23, null, "hour", ref problem);
        var days = Field(fields[2], 1, 31, null, "day of month", ref problem);
        var months = Field(fields[3], 1, 12, MonthNames, "month", ref problem);
        var weekdays = Field(fields[4], 0, 7, DayNames, "day of week", ref problem);
        if (minutes is null || hours is null || days is null || months is null || weekdays is null)
        {
            return null;
        }

        if (weekdays.Remove(7))
        {
            weekdays.Add(0);
        }

        var anyDay = fields[2] is "*" or "?";
        var anyWeekday = fields[4] is "*" or "?";
        var cron = new CronRecurrence(minutes, hours, days, months, weekdays, anyDay, anyWeekday);
        if (!cron.EverFires())
        {
            problem = "This recurrence never fires: none of its days exists in its months.";
            return null;
        }

        return cron;
    }

    /// <summary>
    /// When day of month and day of week are both restricted, cron fires on either (so it fires, as every weekday occurs in every
    /// month); when only the day of month is, some chosen day must exist in some chosen month (29 February counts).
    /// </summary>
    private bool EverFires() =>
        !AnyWeekday && !AnyDay || AnyDay || Months.Any(m => Days.Any(d => d <= DaysInMonth[m - 1]));

    private static HashSet<int>? Field(string text, int min, int max, string[]? names, string what, ref string? problem)
    {
        var values = new HashSet<int>();
        foreach (var part in text.Split(','))
        {
            var (range, stepText) = part.Split('/') switch
            {
                [var r] => (r, null),
                [var r, var s] => (r, s),
                _ => (string.Empty, string.Empty),
            };
            var step = 1;
            if (stepText is not null && (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1))
            {
                problem ??= $"The {what} field has a bad step '{part}'.";
                return null;
            }

            int from, to;
            if (range is "*" or "?")
            {
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var a, var b])
            {
                if (Value(a, min, names) is not { } x || Value(b, min, names) is not { } y)
                {
                    problem ??= $"The {what} field has a bad range '{part}'.";
                    return null;
                }

                (from, to) = (x, y);
            }
            else if (Value(range, min, names) is { } single)
            {
                (from, to) = (single, stepText is null ? single : max);
            }
            else
            {
                problem ??= $"The {what} field has a bad value '{part}'.";
                return null;
            }

            if (from < min || to > max || from > to)
            {
                problem ??= $"The {what} is between {min} and {max}; '{part}' is not.";
                return null;
            }

            for (var v = from; v <= to; v += step)
            {
                values.Add(v);
            }
        }

        return values;
    }

    private static int? Value(string text, int min, string[]? names)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        var index = names is null ? -1 : Array.FindIndex(names, x => string.Equals(x, text, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : index + min;
    }
}
