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
}

/// <summary>Sends a report's file to a chat as a document; returns null when sent, otherwise what went wrong.</summary>
public interface IReportDelivery
{
    Task<string?> SendAsync(long chatId, string fileName, byte[] content, string caption, CancellationToken cancellationToken = default);
}
