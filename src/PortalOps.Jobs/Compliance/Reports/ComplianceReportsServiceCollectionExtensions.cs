using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Patching;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Mail;
using PortalOps.Jobs.Persistence;
using Telegram.Bot;

namespace PortalOps.Jobs.Compliance.Reports;

public static class ComplianceReportsServiceCollectionExtensions
{
    /// <summary>The compliance report: its builder (scoped, like the policy source it reads) and the PDF writer.</summary>
    public static IServiceCollection AddComplianceReports(this IServiceCollection services)
    {
        services.TryAddSingleton<IComplianceReportWriter, ComplianceReportPdf>();
        services.TryAddScoped(sp => new ComplianceReportBuilder(
            sp.GetRequiredService<IFindingStore>(), sp.GetRequiredService<IWaiverStore>(), sp.GetRequiredService<IPolicySource>(),
            sp.GetService<IAuditVerification>(), sp.GetService<IPatchComplianceSummary>(), sp.GetRequiredService<TimeProvider>()));

        // Scheduled reports: settings, the kept reports, delivery to Telegram when the bot is configured, one job per schedule.
        services.AddSectionOptions<ComplianceReportsOptions>(ComplianceReportsOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ComplianceReportsOptions>, ComplianceReportsOptionsValidator>());
        services.TryAddSingleton<IComplianceReportStore, EfComplianceReportStore>();

        // E-mail where a mail server is configured (section "Smtp").
        services.AddSectionOptions<SmtpOptions>(SmtpOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>());
        services.TryAddSingleton<SmtpReportMailer>();
        services.TryAddScoped(sp => new ScheduledComplianceReports(
            sp.GetRequiredService<ComplianceReportBuilder>(), sp.GetRequiredService<IComplianceReportWriter>(), sp.GetRequiredService<IComplianceReportStore>(),
            sp.GetService<IOptions<Telegram.TelegramOptions>>()?.Value.Enabled == true ? new TelegramReportDelivery(sp.GetRequiredService<ITelegramBotClient>()) : null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Configured ? sp.GetRequiredService<SmtpReportMailer>() : null));
        services.TryAddTransient<ComplianceReportJob>();
        services.AddHostedService<ComplianceReportsStart>();
        return services;
    }
}
