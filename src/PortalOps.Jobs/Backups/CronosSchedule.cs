using Cronos;
using PortalOps.Domain.Backups;

namespace PortalOps.Jobs.Backups;

/// <summary>
/// Cron expressions over Cronos: five fields (or six with seconds), read in an IANA time zone. Across a DST change a daily time that
/// does not exist that night fires when the clocks have moved on, and one that happens twice fires once; hourly rules fire every hour.
/// </summary>
public sealed class CronosSchedule : ICronSchedule
{
    /// <summary>How far ahead a cron must fire at least once to be accepted (Feb 30 never does).</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(366 * 5);

    public string? CronProblem(string cron, string timeZone)
    {
        if (!TryParse(cron, out var expression, out var error))
        {
            return error;
        }

        if (!TryZone(timeZone, out var zone))
        {
            return TimeZoneProblem(timeZone);
        }

        var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return expression!.GetNextOccurrence(from, zone!) is { } next && next - from <= Horizon
            ? null
            : $"'{cron}' never fires (no date matches it in five years); check the day and month fields.";
    }

    public string? TimeZoneProblem(string timeZone) =>
        TryZone(timeZone, out _) ? null : $"'{timeZone}' is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC.";

    public IEnumerable<DateTimeOffset> Occurrences(string cron, string timeZone, DateTimeOffset fromExclusive, DateTimeOffset toInclusive)
    {
        if (!TryParse(cron, out var expression, out _) || !TryZone(timeZone, out var zone) || toInclusive <= fromExclusive)
        {
            return [];
        }

        return expression!.GetOccurrences(fromExclusive.UtcDateTime, toInclusive.UtcDateTime, zone!, fromInclusive: false, toInclusive: true)
            .Select(t => new DateTimeOffset(t, TimeSpan.Zero));
    }

    private static bool TryParse(string cron, out CronExpression? expression, out string? error)
    {
        expression = null;
        error = null;
        var text = cron?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            error = "Give a cron expression: minute hour day-of-month month day-of-week, such as 0 2 * * * for 02:00 daily.";
            return false;
        }

        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            expression = CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return true;
        }
        catch (CronFormatException e)
        {
            error = $"'{text}' is not a cron expression ({e.Message.TrimEnd('.')}); use minute hour day-of-month month day-of-week, such as 0 2 * * *.";
            return false;
        }
    }

    private static bool TryZone(string timeZone, out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out zone);
    }
}
