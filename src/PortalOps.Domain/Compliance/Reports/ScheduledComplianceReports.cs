using System.Globalization;

namespace PortalOps.Domain.Compliance.Reports;

/// <summary>What one run of a schedule did.</summary>
public sealed record ScheduledReportOutcome(StoredReport Report, bool Generated, bool Delivered)
{
    /// <summary>Whether this run e-mailed the report (the mail server accepted it).</summary>
    public bool Emailed { get; init; }

    /// <summary>How many older kept reports this run removed by the retention.</summary>
    public int Removed { get; init; }
}

/// <summary>
/// Runs one report schedule: makes the report of the last whole period within the schedule's scopes unless it is kept already
/// (one per schedule and period, so a second run, on any node, makes none), keeps it, and sends it to the schedule's chat until
/// one delivery succeeds. A run after a failed delivery tries again; a run after a successful one sends nothing. Telegram and
/// e-mail are recorded apart, so one channel failing does not send the other twice. Then the retention removes older reports.
/// </summary>
public sealed class ScheduledComplianceReports(
    ComplianceReportBuilder builder, IComplianceReportWriter writer, IComplianceReportStore store, IReportDelivery? delivery, TimeProvider clock,
    IReportMailer? mailer = null)
{
    public async Task<ScheduledReportOutcome> RunAsync(ReportSchedule schedule, CancellationToken cancellationToken = default)
    {
        var period = ReportPeriod.LastWhole(schedule.Cadence, clock.GetUtcNow());
        var generated = false;
        byte[]? file = null;
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
                EmailTo = schedule.EmailTo,
            };
            generated = await store.TryAddAsync(candidate, content, cancellationToken);
            file = generated ? content : null;
            stored = generated ? candidate : await store.FindAsync(schedule.Name, period.Key, cancellationToken)
                ?? throw new InvalidOperationException($"The report {schedule.Name} {period.Key} was neither kept nor found.");
        }

        async Task<byte[]> ContentAsync() =>
            file ??= (await store.OpenAsync(stored.Id, new Security.ReadScope([], Everything: true), cancellationToken)
                ?? throw new InvalidOperationException($"The report {stored.Id} has no file.")).Content;

        var delivered = false;
        if (schedule.TelegramChatId is { } chat && stored.DeliveredAt is null)
        {
            var problem = delivery is null
                ? "Telegram is not configured."
                : await delivery.SendAsync(chat, stored.FileName, await ContentAsync(), Caption(stored), cancellationToken);
            var at = problem is null ? clock.GetUtcNow() : (DateTimeOffset?)null;
            await store.MarkDeliveryAsync(stored.Id, at, problem, cancellationToken);
            stored = stored with { DeliveredAt = at, DeliveryProblem = problem };
            delivered = problem is null;
        }

        var emailed = false;
        if (schedule.EmailTo.Count > 0 && stored.EmailedAt is null)
        {
            // The addresses of the schedule as it is now: a fixed address list reaches the right people on the retry.
            var problem = mailer is null
                ? "E-mail is not configured (Smtp:Host)."
                : await mailer.SendAsync(schedule.EmailTo, Subject(stored), Caption(stored), stored.FileName, await ContentAsync(), cancellationToken);
            var at = problem is null ? clock.GetUtcNow() : (DateTimeOffset?)null;
            await store.MarkEmailAsync(stored.Id, at, problem, cancellationToken);
            stored = stored with { EmailTo = schedule.EmailTo, EmailedAt = at, EmailProblem = problem };
            emailed = problem is null;
        }

        var removed = 0;
        if (schedule.KeepLast is not null || schedule.KeepDays is not null)
        {
            removed = await store.PruneAsync(
                schedule.Name, schedule.KeepLast, schedule.KeepDays is { } days ? clock.GetUtcNow().AddDays(-days) : null, cancellationToken);
        }

        return new ScheduledReportOutcome(stored, generated, delivered) { Emailed = emailed, Removed = removed };
    }

    public static string Subject(StoredReport report) => $"PortalOps compliance report {report.Schedule} {report.PeriodKey}";

    public static string Caption(StoredReport report) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Compliance report {report.Schedule} for {report.PeriodKey} ({string.Join(", ", report.Scopes)}): " +
            $"{(report.Score is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + "% compliant, " : string.Empty)}{report.OpenFindings} open finding(s).");
}
