using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>A scheduled report: its name, how often, the scopes it covers, where it is sent (a Telegram chat, e-mail addresses; both optional) and how long reports are kept.</summary>
public sealed record ReportSchedule(string Name, ReportCadence Cadence, IReadOnlyList<Scope> Scopes, long? TelegramChatId = null)
{
    public Severity? MinimumSeverity { get; init; }

    /// <summary>Addresses the report is e-mailed to (when SMTP is configured); none by default.</summary>
    public IReadOnlyList<string> EmailTo { get; init; } = [];

    /// <summary>How many of this schedule's reports are kept (the newest); all when null.</summary>
    public int? KeepLast { get; init; }

    /// <summary>Kept reports older than this many days are removed (the newest of each schedule stays); none when null.</summary>
    public int? KeepDays { get; init; }

    public ReadScope ReadScope => new(Scopes);
}
