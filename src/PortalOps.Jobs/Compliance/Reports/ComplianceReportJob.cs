using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Compliance.Reports;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>
/// Runs one report schedule (registered per schedule in <see cref="Scheduling.RecurringJobs"/>). Safe to run twice and on any
/// node: the report is kept once per schedule and period, and sent until one delivery succeeds.
/// </summary>
public sealed partial class ComplianceReportJob(
    ScheduledComplianceReports reports, IOptions<ComplianceReportsOptions> options, ILogger<ComplianceReportJob> logger)
{
    [JobDisplayName("Compliance report {0}")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(string schedule, CancellationToken cancellationToken)
    {
        var found = options.Value.ToSchedules().FirstOrDefault(s => s.Name == schedule);
        if (found is null)
        {
            LogUnknown(logger, schedule);
            return;
        }

        var o = await reports.RunAsync(found, cancellationToken);
        if (o.Report.DeliveryProblem is { } problem && o.Report.DeliveredAt is null && found.TelegramChatId is not null)
        {
            LogUndelivered(logger, schedule, o.Report.PeriodKey, problem);
        }
        else
        {
            LogDone(logger, schedule, o.Report.PeriodKey, o.Generated, o.Delivered);
        }

        if (o.Report.EmailProblem is { } emailProblem && o.Report.EmailedAt is null && found.EmailTo.Count > 0)
        {
            LogNotEmailed(logger, schedule, o.Report.PeriodKey, emailProblem);
        }
        else if (o.Emailed)
        {
            LogEmailed(logger, schedule, o.Report.PeriodKey, found.EmailTo.Count);
        }

        if (o.Removed > 0)
        {
            LogRemoved(logger, schedule, o.Removed);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compliance report schedule {Schedule} is no longer configured; nothing to do.")]
    private static partial void LogUnknown(ILogger logger, string schedule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compliance report {Schedule} {Period} is kept but was not delivered: {Problem} The next run tries again.")]
    private static partial void LogUndelivered(ILogger logger, string schedule, string period, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compliance report {Schedule} {Period}: generated {Generated}, delivered {Delivered}.")]
    private static partial void LogDone(ILogger logger, string schedule, string period, bool generated, bool delivered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compliance report {Schedule} {Period} is kept but was not e-mailed: {Problem} The next run tries again.")]
    private static partial void LogNotEmailed(ILogger logger, string schedule, string period, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compliance report {Schedule} {Period} e-mailed to {Recipients} recipient(s).")]
    private static partial void LogEmailed(ILogger logger, string schedule, string period, int recipients);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compliance reports of {Schedule}: {Removed} older report(s) removed by the retention.")]
    private static partial void LogRemoved(ILogger logger, string schedule, int removed);
}

/// <summary>Registers one recurring job per configured schedule at start and removes those of schedules no longer configured.</summary>
internal sealed class ComplianceReportsStart(IServiceProvider services, IOptions<ComplianceReportsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterComplianceReports(manager, options.Value.ToSchedules(), services.GetService<JobStorage>());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
