using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Patching;

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
        return services;
    }
}
