using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>
/// A kept report (without its file): one per schedule and period, so running the schedule twice finds it instead of making
/// another; whether and when it reached its chat.
/// </summary>
public sealed record StoredReport(
    Guid Id, string Schedule, string PeriodKey, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<Scope> Scopes, DateTimeOffset GeneratedAt,
    int OpenFindings, double? Score, string FileName, long Size)
{
    public long? TelegramChatId { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public string? DeliveryProblem { get; init; }

    /// <summary>The addresses the report is e-mailed to; none when the schedule names none.</summary>
    public IReadOnlyList<string> EmailTo { get; init; } = [];

    public DateTimeOffset? EmailedAt { get; init; }

    public string? EmailProblem { get; init; }

    /// <summary>
    /// A reader may open a kept report when their scopes cover each of the report's: the report holds everything its scopes cover,
    /// so a narrower reader would see more than they may.
    /// </summary>
    public bool VisibleTo(ReadScope reader) =>
        reader.Everything || Scopes.All(s => reader.Covers(Footprint.Of(s.Account, s.Region, s.TagKey is null ? null : new Dictionary<string, string> { [s.TagKey] = s.TagValue ?? Scope.Any })));
}

/// <summary>Kept reports and their files.</summary>
public interface IComplianceReportStore
{
    /// <summary>Keeps the report; false (and nothing kept) when one exists for the same schedule and period.</summary>
    Task<bool> TryAddAsync(StoredReport report, byte[] content, CancellationToken cancellationToken = default);

    Task<StoredReport?> FindAsync(string schedule, string periodKey, CancellationToken cancellationToken = default);

    /// <summary>The newest reports first, only those <paramref name="reader"/> may open.</summary>
    Task<IReadOnlyList<StoredReport>> ListAsync(ReadScope reader, int take, CancellationToken cancellationToken = default);

    /// <summary>The report and its file, or null when it does not exist or <paramref name="reader"/> may not open it.</summary>
    Task<(StoredReport Report, byte[] Content)?> OpenAsync(Guid id, ReadScope reader, CancellationToken cancellationToken = default);

    Task MarkDeliveryAsync(Guid id, DateTimeOffset? deliveredAt, string? problem, CancellationToken cancellationToken = default);

    /// <summary>Records the outcome of e-mailing the report: when it was accepted by the mail server, or what went wrong.</summary>
    Task MarkEmailAsync(Guid id, DateTimeOffset? emailedAt, string? problem, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes kept reports (and their files) by the retention: of <paramref name="schedule"/>, all but the newest
    /// <paramref name="keepLast"/> (when set); of every schedule, those generated before <paramref name="olderThan"/> (when set).
    /// The newest report of each schedule is never removed. Returns how many were removed.
    /// </summary>
    Task<int> PruneAsync(string schedule, int? keepLast, DateTimeOffset? olderThan, CancellationToken cancellationToken = default);
}

/// <summary>
/// E-mails a report's file as an attachment; returns null when the mail server accepted it for every recipient, otherwise what
/// went wrong (never a credential).
/// </summary>
public interface IReportMailer
{
    Task<string?> SendAsync(IReadOnlyList<string> to, string subject, string body, string fileName, byte[] content, CancellationToken cancellationToken = default);
}

/// <summary>Sends a report's file to a chat as a document; returns null when sent, otherwise what went wrong.</summary>
public interface IReportDelivery
{
    Task<string?> SendAsync(long chatId, string fileName, byte[] content, string caption, CancellationToken cancellationToken = default);
}
