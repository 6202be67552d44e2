using System.Globalization;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>What one run of a schedule did.</summary>
public sealed record ScheduledReportOutcome(StoredReport Report, bool Generated, bool Delivered);

/// <summary>
/// Runs one report schedule: makes the report of the last whole period within the schedule's scopes unless it is kept already
/// (one per schedule and period, so a second run, on any node, makes none), keeps it, and sends it to the schedule's chat until
/// one delivery succeeds. A run after a failed delivery tries again; a run after a successful one sends nothing.
/// </summary>
public sealed class ScheduledComplianceReports(
    ComplianceReportBuilder builder, IComplianceReportWriter writer, IComplianceReportStore store, IReportDelivery? delivery, TimeProvider clock)
{
    public async Task<ScheduledReportOutcome> RunAsync(ReportSchedule schedule, CancellationToken cancellationToken = default)
    {
        var period = ReportPeriod.LastWhole(schedule.Cadence, clock.GetUtcNow());
        var generated = false;
        var stored = await store.FindAsync(schedule.Name, period.Key, cancellationToken);
        if (stored is null)
        {
            var request = new ComplianceReportRequest(ComplianceReportRequest.Describe(schedule.Scopes), schedule.ReadScope, period.From, period.To, $"schedule {schedule.Name}")
            {
                MinimumSeverity = schedule.MinimumSeverity,
            };
            var report = await builder.BuildAsync(request, cancellationToken);
            using var buffer = new MemoryStream();
            writer.Write(report, buffer);
            var content = buffer.ToArray();
            var candidate = new StoredReport(
                Guid.CreateVersion7(report.GeneratedAt), schedule.Name, period.Key, period.From, period.To, schedule.Scopes, report.GeneratedAt,
                report.OpenFindings.Count, report.Overall?.Percent, $"portalops-compliance-{schedule.Name}-{period.Key}.pdf", content.Length)
            {
                TelegramChatId = schedule.TelegramChatId,
            };
            generated = await store.TryAddAsync(candidate, content, cancellationToken);
            stored = generated ? candidate : await store.FindAsync(schedule.Name, period.Key, cancellationToken)
                ?? throw new InvalidOperationException($"The report {schedule.Name} {period.Key} was neither kept nor found.");
        }

        if (schedule.TelegramChatId is not { } chat || stored.DeliveredAt is not null)
        {
            return new ScheduledReportOutcome(stored, generated, false);
        }

        string? problem;
        if (delivery is null)
        {
            problem = "Telegram is not configured.";
        }
        else
        {
            var file = await store.OpenAsync(stored.Id, new Security.ReadScope([], Everything: true), cancellationToken)
                ?? throw new InvalidOperationException($"The report {stored.Id} has no file.");
            problem = await delivery.SendAsync(chat, stored.FileName, file.Content, Caption(stored), cancellationToken);
        }

        var at = problem is null ? clock.GetUtcNow() : (DateTimeOffset?)null;
        await store.MarkDeliveryAsync(stored.Id, at, problem, cancellationToken);
        return new ScheduledReportOutcome(stored with { DeliveredAt = at, DeliveryProblem = problem }, generated, problem is null);
    }

    public static string Caption(StoredReport report) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Compliance report {report.Schedule} for {report.PeriodKey} ({string.Join(", ", report.Scopes)}): " +
            $"{(report.Score is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + "% compliant, " : string.Empty)}{report.OpenFindings} open finding(s).");
}
