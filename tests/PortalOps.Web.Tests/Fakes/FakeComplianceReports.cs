using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Kept compliance reports in memory, visible by the same rule the database store applies (<see cref="StoredReport.VisibleTo"/>).</summary>
public sealed class FakeComplianceReports : IComplianceReportStore
{
    public List<(StoredReport Report, byte[] Content)> Items { get; } = [];

    public Task<bool> TryAddAsync(StoredReport report, byte[] content, CancellationToken cancellationToken = default)
    {
        if (Items.Any(i => i.Report.Schedule == report.Schedule && i.Report.PeriodKey == report.PeriodKey))
        {
            return Task.FromResult(false);
        }

        Items.Add((report, content));
        return Task.FromResult(true);
    }

    public Task<StoredReport?> FindAsync(string schedule, string periodKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(Items.Select(i => i.Report).FirstOrDefault(r => r.Schedule == schedule && r.PeriodKey == periodKey));

    public Task<IReadOnlyList<StoredReport>> ListAsync(ReadScope reader, int take, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredReport>>(Items.Select(i => i.Report).Where(r => r.VisibleTo(reader)).OrderByDescending(r => r.GeneratedAt).Take(take).ToList());

    public Task<(StoredReport Report, byte[] Content)?> OpenAsync(Guid id, ReadScope reader, CancellationToken cancellationToken = default) =>
        Task.FromResult(Items.Where(i => i.Report.Id == id && i.Report.VisibleTo(reader)).Select(i => ((StoredReport, byte[])?)i).FirstOrDefault());

    public Task MarkDeliveryAsync(Guid id, DateTimeOffset? deliveredAt, string? problem, CancellationToken cancellationToken = default)
    {
        var index = Items.FindIndex(i => i.Report.Id == id);
        Items[index] = (Items[index].Report with { DeliveredAt = deliveredAt, DeliveryProblem = problem }, Items[index].Content);
        return Task.CompletedTask;
    }

    public Task MarkEmailAsync(Guid id, DateTimeOffset? emailedAt, string? problem, CancellationToken cancellationToken = default)
    {
        var index = Items.FindIndex(i => i.Report.Id == id);
        Items[index] = (Items[index].Report with { EmailedAt = emailedAt, EmailProblem = problem }, Items[index].Content);
        return Task.CompletedTask;
    }

    public Task<int> PruneAsync(string schedule, int? keepLast, DateTimeOffset? olderThan, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Retention is tested against the database store.");
}
