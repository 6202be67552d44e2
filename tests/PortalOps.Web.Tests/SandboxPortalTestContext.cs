using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Sandbox;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests;

/// <summary>
/// The page test context with the Sandbox account behind every cloud port (fleet, launcher, resources, attributes, leftovers),
/// on the test clock, plus the provisioning use cases. Governance requires the tag <c>team</c>.
/// </summary>
public abstract class SandboxPortalTestContext : PortalTestContext
{
    protected SandboxPortalTestContext()
    {
        Sandbox = new SandboxCloud(Options.Create(new SandboxOptions { PendingSeconds = 4 }), Clock, FleetEvents);
        Services.AddSingleton(Sandbox);
        Services.AddSingleton<ICloudProvider>(Sandbox);
        Services.AddSingleton<IInventory>(Sandbox);
        Services.AddSingleton<ICompute>(Sandbox);
        Services.AddSingleton<IInstanceLauncher>(Sandbox);
        Services.AddSingleton<ICloudResources>(Sandbox);
        Services.AddSingleton<IInstanceAttributes>(Sandbox);
        Services.AddSingleton<IElasticIps>(Sandbox);
        Services.AddSingleton<IVolumes>(Sandbox);
        Services.AddSingleton<ISnapshots>(Sandbox);
        Services.AddSingleton<PortalOps.Domain.Monitoring.IMetricStore, EmptyMetricStore>();
        Services.AddSingleton<PortalOps.Domain.Monitoring.IMonitoringEvents, PortalOps.Jobs.Monitoring.MonitoringEvents>();
        Services.AddSingleton<IImageCatalog>(Sandbox);
        Services.AddSingleton<IInstanceTypeCatalog>(Sandbox);
        Services.AddSingleton<ITagGovernance>(new FixedTagGovernance("team"));
        Services.AddSingleton<ILaunchTemplateStore>(TemplateStore);
        Services.AddScoped<IActionExecutor, LaunchExecutor>();
        Services.AddScoped<IActionExecutor, InstanceSettingsExecutor>();
        Services.AddScoped<IActionExecutor, SnapshotAndTerminateExecutor>();
        Services.AddScoped<IActionExecutor, LeftoversExecutor>();
        Services.AddScoped<LaunchPlanner>();
        Services.AddScoped<LaunchTemplates>();
    }

    protected SandboxCloud Sandbox { get; }

    protected InMemoryTemplateStore TemplateStore { get; } = new();

    protected static string Account => TestData.SandboxAccount;

    protected async Task<IReadOnlyList<Instance>> FleetAsync(string? region = null) =>
        (await Sandbox.QueryAsync(new InstanceQuery { Region = region, PageSize = InstanceQuery.MaxPageSize })).Items;
}
