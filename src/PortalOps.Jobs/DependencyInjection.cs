using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PortalOps.Jobs.Configuration;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Provisioning;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs;

/// <summary>Registrations of the domain's use cases and of every adapter in this project.</summary>
public static class DependencyInjection
{
    /// <summary>The domain's use cases. (The domain itself has no package references, so its registrations live here.)</summary>
    public static IServiceCollection AddDomain(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<ActionPipeline>();
        services.AddScoped<IActionExecutor, InstanceActionExecutor>();
        services.AddScoped<LaunchTemplates>();
        services.AddScoped<ApprovalRulesEditor>();
        services.AddSectionOptions<ApprovalOptions>(ApprovalOptions.Section);
        services.TryAddSingleton<IApprovalPolicyProvider, ApprovalPolicyProvider>();
        services.AddOptions<ProvisioningOptions>().BindConfiguration(ProvisioningOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProvisioningOptions>, ProvisioningOptionsValidator>());
        services.TryAddSingleton<ITagGovernance, ConfiguredTagGovernance>();
        return services;
    }

    /// <summary>The cloud behind the ports (the Sandbox account unless an <c>Aws</c> section names accounts), persistence and background jobs.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.TryAddSingleton<IFleetEvents, FleetEvents>();
        if (!services.AddAwsProvider(configuration))
        {
            services.AddSandbox();
        }

        services.AddProvisioning();

        services.AddPersistence(configuration, environment);
        services.AddBackgroundJobs(configuration);
        return services;
    }

    /// <summary>
    /// Launch, tag and protection changes, snapshot-and-terminate and leftover clean-up: executors over the provisioning ports
    /// (<see cref="IInstanceLauncher"/>, <see cref="ICloudResources"/>, <see cref="IInstanceAttributes"/> …), which the cloud
    /// provider registers. Called by <see cref="AddJobs"/> after the provider.
    /// </summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services)
    {
        services.AddScoped<IActionExecutor, LaunchExecutor>();
        services.AddScoped<IActionExecutor, InstanceSettingsExecutor>();
        services.AddScoped<IActionExecutor, SnapshotAndTerminateExecutor>();
        services.AddScoped<IActionExecutor, LeftoversExecutor>();
        services.AddScoped<LaunchPlanner>();
        return services;
    }

    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.AddSectionOptions<SandboxOptions>(SandboxOptions.Section);
        services.AddSingleton<SandboxCloud>();
        services.AddSingleton<ICloudProvider>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IInventory>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<ICompute>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IInstanceLauncher>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<ICloudResources>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IInstanceAttributes>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IElasticIps>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IVolumes>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<ISnapshots>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IImageCatalog>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IInstanceTypeCatalog>(sp => sp.GetRequiredService<SandboxCloud>());
        return services;
    }
}
