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
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Aws.Monitoring;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Monitoring;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Telegram;

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

        services.AddProvisioningActions();

        services.AddPersistence(configuration, environment);
        services.AddCrossNodeFleetEvents(configuration);
        services.AddBackgroundJobs(configuration);
        services.AddTelegram(configuration);
        services.AddMonitoring();
        services.AddCompliance();
        LoadBalancing.LoadBalancingServiceCollectionExtensions.AddLoadBalancing(services);
        Patching.PatchingServiceCollectionExtensions.AddPatching(services);
        Backups.BackupsServiceCollectionExtensions.AddBackups(services);
        Costs.CostsServiceCollectionExtensions.AddCosts(services);
        Scaling.ScalingServiceCollectionExtensions.AddScaling(services);
        Scaling.OffHours.OffHoursServiceCollectionExtensions.AddOffHours(services);
        return services;
    }

    /// <summary>
    /// On PostgreSQL, instance changes reach the open pages of every node (<see cref="PostgresFleetEvents"/>, LISTEN/NOTIFY)
    /// instead of this node's only. Nothing changes on SQLite (one node).
    /// </summary>
    public static IServiceCollection AddCrossNodeFleetEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<Domain.Approvals.IApprovalEvents, ScaleOut.ApprovalEvents>();
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(PortalDatabase.ConnectionStringName)))
        {
            return services;
        }

        services.TryAddSingleton<PostgresFleetEvents>();
        services.Replace(ServiceDescriptor.Singleton<IFleetEvents>(sp => sp.GetRequiredService<PostgresFleetEvents>()));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresFleetEvents>());

        // Approvals made or decided, alerts and new metrics reach every node's open pages the same way (ScaleOut.PostgresSignals).
        services.TryAddSingleton<ScaleOut.PostgresSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<ScaleOut.PostgresSignals>());
        services.Replace(ServiceDescriptor.Singleton<Domain.Approvals.IApprovalEvents, ScaleOut.CrossNodeApprovalEvents>());
        services.Replace(ServiceDescriptor.Singleton<IMonitoringEvents, ScaleOut.CrossNodeMonitoringEvents>());
        return services;
    }

    /// <summary>
    /// Compliance: settings (section <c>Compliance</c>), the policy catalog, scanner, stores and jobs. Needs the cloud's
    /// <see cref="Domain.Compliance.IComplianceSource"/> (registered with the AWS provider or the sandbox) and persistence.
    /// </summary>
    public static IServiceCollection AddCompliance(this IServiceCollection services)
    {
        services.AddSectionOptions<Compliance.ComplianceOptions>(Compliance.ComplianceOptions.Section);
        services.TryAddSingleton<Domain.Compliance.IPolicyStore, EfPolicyStore>();
        services.TryAddSingleton<Domain.Compliance.IFindingStore, EfFindingStore>();
        services.TryAddSingleton<Domain.Compliance.IWaiverStore, EfWaiverStore>();
        services.TryAddScoped<Compliance.PolicyCatalog>();
        services.TryAddScoped<Domain.Compliance.IPolicySource>(sp => sp.GetRequiredService<Compliance.PolicyCatalog>());
        services.TryAddScoped<Domain.Compliance.IComplianceNotifier, Domain.Compliance.ComplianceNotifications>();
        services.TryAddScoped<Domain.Compliance.ComplianceScanner>();
        services.TryAddScoped<Domain.Compliance.RemediationPlanner>();
        services.AddScoped<IActionExecutor, Domain.Compliance.RemediationExecutor>();
        services.AddScoped<IActionExecutor, Domain.Compliance.ExceptionGrantExecutor>();
        services.TryAddScoped<Compliance.PolicyEditor>();
        services.TryAddScoped<Compliance.ExceptionRequests>();
        services.TryAddScoped<Compliance.ExceptionList>();
        services.TryAddScoped<Telegram.Compliance.ComplianceTelegram>();
        services.TryAddTransient<Compliance.ComplianceScanJob>();
        services.TryAddTransient<Compliance.ComplianceWaiversJob>();
        services.TryAddTransient<Compliance.ComplianceScanRequests>();
        services.AddHostedService<Compliance.ComplianceStart>();
        Compliance.Reports.ComplianceReportsServiceCollectionExtensions.AddComplianceReports(services);
        return services;
    }

    /// <summary>The provisioning use cases and executors; they need the cloud's launch, attribute, snapshot and resource ports.</summary>
    public static IServiceCollection AddProvisioningActions(this IServiceCollection services)
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
        services.TryAddSingleton<IMetricsSource, SandboxMetrics>();
        services.TryAddSingleton<SandboxScaling>();
        services.TryAddSingleton<Domain.Scaling.IScaling>(sp => sp.GetRequiredService<SandboxScaling>());
        services.TryAddSingleton<Domain.Scaling.IGroupCapacityMetrics>(sp => sp.GetRequiredService<SandboxScaling>());
        services.TryAddSingleton<IAutoScalingCapacity, Domain.Scaling.ScalingScaleOut>();
        services.TryAddSingleton<IRemoteCommands, SandboxRemoteCommands>();
        services.AddSingleton<IInstanceLauncher>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<ICloudResources>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IInstanceAttributes>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IElasticIps>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IVolumes>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<ISnapshots>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IImageCatalog>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<IInstanceTypeCatalog>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<SandboxCompliance>();
        services.AddSingleton<Domain.Compliance.IComplianceSource>(sp => sp.GetRequiredService<SandboxCompliance>());
        services.AddSingleton<Domain.Compliance.IRemediator>(sp => sp.GetRequiredService<SandboxCompliance>());
        services.AddSingleton<Domain.Costs.IResourceModifier>(sp => sp.GetRequiredService<SandboxCloud>());
        services.TryAddSingleton<Domain.Costs.IUtilizationSource, SandboxUtilization>();
        services.TryAddSingleton<Domain.Costs.ISpendSource, SandboxSpend>();
        services.TryAddSingleton<Domain.Costs.ICommitmentSource>(sp => sp.GetRequiredService<SandboxCloud>());
        services.TryAddSingleton<Domain.Costs.IPriceList>(sp => sp.GetRequiredService<SandboxCloud>());
        services.AddSingleton<Domain.LoadBalancing.ILoadBalancing, SandboxLoadBalancing>();
        services.TryAddSingleton<Domain.Patching.IInstanceStatusReader, SandboxInstanceStatus>();
        return services;
    }

    /// <summary>
    /// Monitoring: its settings (section <c>Monitoring</c>), use cases, stores in the portal database, the corrective actions'
    /// executors and the alerts' Telegram messages. Needs the cloud (metrics source, compute, capacity, Run Command), persistence
    /// and the Telegram adapter registered too, as <see cref="AddJobs"/> does.
    /// </summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddSectionOptions<MonitoringOptions>(MonitoringOptions.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MonitoringOptions>>().Value.ToSettings());
        services.TryAddSingleton<IMonitoringEvents, MonitoringEvents>();
        services.TryAddSingleton<IMetricStore, EfMetricStore>();
        services.TryAddSingleton<IAlertRuleStore, EfAlertRuleStore>();
        services.TryAddSingleton<IAlertStore, EfAlertStore>();
        services.TryAddSingleton<IMaintenanceWindowStore, EfMaintenanceWindowStore>();
        services.TryAddScoped<MetricCollector>();
        services.TryAddScoped<AlertEngine>();
        services.TryAddScoped<AlertOperations>();
        services.TryAddScoped<AlertRules>();
        services.TryAddScoped<MaintenanceWindows>();
        services.AddScoped<IActionExecutor, RecoverInstancesExecutor>();
        services.AddScoped<IActionExecutor, ScaleOutExecutor>();
        services.AddScoped<IActionExecutor, RunDocumentExecutor>();
        services.TryAddSingleton<Telegram.Alerts.AlertMessages>();
        services.TryAddSingleton<Telegram.Alerts.AlertTelegram>();
        services.TryAddTransient<MonitoringCycleJob>();
        // After the recurring schedules are registered (hosted services start in order).
        services.AddHostedService<MonitoringStart>();
        return services;
    }
}
