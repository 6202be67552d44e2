using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>A scheduled report: its name, how often, the scopes it covers, and where it is sent (a Telegram chat, optional).</summary>
public sealed record ReportSchedule(string Name, ReportCadence Cadence, IReadOnlyList<Scope> Scopes, long? TelegramChatId = null)
{
    public Severity? MinimumSeverity { get; init; }

    public ReadScope ReadScope => new(Scopes);
}
