using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Sandbox;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

/// <summary>
/// Compliance pages over the Sandbox account: the real catalog, editor, scanner, planner, exception use cases and executors, with
/// policies, findings and exceptions kept in memory. <see cref="ScanAsync"/> fills the findings with what the sandbox violates.
/// </summary>
public abstract class CompliancePageContext : SandboxPortalTestContext
{
    protected CompliancePageContext()
    {
        Compliance = new SandboxCompliance(Sandbox);
        Services.AddSingleton(Compliance);
        Services.AddSingleton<IComplianceSource>(Compliance);
        Services.AddSingleton<IRemediator>(Compliance);
        Services.AddSingleton<IPolicyStore>(Store);
        Services.AddSingleton<IFindingStore>(Store);
        Services.AddSingleton<IWaiverStore>(Store);
        Services.AddSingleton(Options.Create(ComplianceOptions));
        Services.AddScoped<IComplianceNotifier, ComplianceNotifications>();
        Services.AddScoped<PolicyCatalog>();
        Services.AddScoped<IPolicySource>(sp => sp.GetRequiredService<PolicyCatalog>());
        Services.AddScoped<PolicyEditor>();
        Services.AddScoped<ComplianceScanner>();
        Services.AddScoped<RemediationPlanner>();
        Services.AddScoped<IActionExecutor, RemediationExecutor>();
        Services.AddScoped<IActionExecutor, ExceptionGrantExecutor>();
        Services.AddScoped<ExceptionRequests>();
        Services.AddScoped<ExceptionList>();
    }

    protected SandboxCompliance Compliance { get; }

    protected MemoryCompliance Store { get; } = new();

    protected ComplianceOptions ComplianceOptions { get; } = new();

    protected static string SandboxAccount => TestData.SandboxAccount;

    /// <summary>Scans the sandbox account into <see cref="Store"/>.</summary>
    protected Task<ScanOutcome> ScanAsync() => Services.GetRequiredService<ComplianceScanner>().ScanAsync();

    /// <summary>An open finding of the policy.</summary>
    protected Finding OpenFinding(string policyId) =>
        Store.Findings.First(f => f.PolicyId == policyId && f.Status == FindingStatus.Open);
}
