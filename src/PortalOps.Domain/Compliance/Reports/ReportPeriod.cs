using System.Globalization;

namespace PortalOps.Domain.Compliance.Reports;

public enum ReportCadence
{
    Weekly,
    Monthly,
}

/// <summary>
/// The period a scheduled report covers: the last whole ISO week (Monday 00:00 UTC to Monday) or calendar month (UTC) before
/// the time it runs, named by a key ("2026-W48", "2026-11") that, with the schedule's name, identifies the report.
/// </summary>
public sealed record ReportPeriod(string Key, DateTimeOffset From, DateTimeOffset To)
{
    public static ReportPeriod LastWhole(ReportCadence cadence, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        switch (cadence)
        {
            case ReportCadence.Weekly:
            {
                var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
                var start = monday.AddDays(-7);
                var week = ISOWeek.GetWeekOfYear(start.ToDateTime(TimeOnly.MinValue));
                var year = ISOWeek.GetYear(start.ToDateTime(TimeOnly.MinValue));
                return new ReportPeriod(
                    string.Create(CultureInfo.InvariantCulture, $"{year}-W{week:00}"), At(start), At(monday));
            }

            default:
            {
                var first = new DateOnly(today.Year, today.Month, 1);
                var start = first.AddMonths(-1);
                return new ReportPeriod(string.Create(CultureInfo.InvariantCulture, $"{start.Year}-{start.Month:00}"), At(start), At(first));
            }
        }
    }

    private static DateTimeOffset At(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
