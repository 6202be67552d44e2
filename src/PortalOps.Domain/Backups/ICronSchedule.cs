namespace PortalOps.Domain.Backups;

/// <summary>Reads cron expressions in a time zone. The Jobs project implements it over Cronos; the domain stays free of packages.</summary>
public interface ICronSchedule
{
    /// <summary>Why <paramref name="cron"/> cannot be used (unreadable, or it never fires); null when it is fine.</summary>
    string? CronProblem(string cron, string timeZone);

    /// <summary>Why <paramref name="timeZone"/> is not a time zone (IANA id such as Europe/Berlin, or UTC); null when it is.</summary>
    string? TimeZoneProblem(string timeZone);

    /// <summary>Every firing after <paramref name="fromExclusive"/> up to and including <paramref name="toInclusive"/>, in order, as UTC instants.</summary>
    IEnumerable<DateTimeOffset> Occurrences(string cron, string timeZone, DateTimeOffset fromExclusive, DateTimeOffset toInclusive);
}
