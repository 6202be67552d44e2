using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Credentials;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Aws.Backups;
using PortalOps.Jobs.Aws.Costs;
using PortalOps.Jobs.Aws.Instances;
using PortalOps.Jobs.Aws.LoadBalancing;
using PortalOps.Jobs.Aws.Monitoring;
using PortalOps.Jobs.Aws.Patching;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Aws.Scaling;

namespace PortalOps.Jobs.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>True when the <c>Aws</c> section names at least one account.</summary>
    public static bool IsAwsConfigured(IConfiguration configuration) =>
        configuration.GetSection(AwsOptions.Section).GetSection(nameof(AwsOptions.Accounts)).GetChildren().Any();

    /// <summary>
    /// Registers real AWS behind the cloud ports — <see cref="ICloudProvider"/>, <see cref="IInventory"/>,
    /// <see cref="IInventoryStatus"/>, <see cref="ICompute"/>, <see cref="IInstanceLauncher"/> and the others —
    /// when the <c>Aws</c> section names accounts; otherwise registers nothing and returns false.
    /// Options are validated at start, with messages that name the key to fix.
    /// </summary>
    public static bool AddAwsProvider(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsAwsConfigured(configuration))
        {
            return false;
        }

        services.AddOptions<AwsOptions>().Bind(configuration.GetSection(AwsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAwsCredentialsSource, AwsCredentialsSource>();
        services.TryAddSingleton<AwsClients>();

        services.AddSingleton<AwsCloudProvider>();
        services.AddSingleton<ICloudProvider>(sp => sp.GetRequiredService<AwsCloudProvider>());
        services.AddSingleton<AwsInventory>();
        services.AddSingleton<IInventory>(sp => sp.GetRequiredService<AwsInventory>());
        services.AddSingleton<IInventoryStatus>(sp => sp.GetRequiredService<AwsInventory>());
        services.AddSingleton<ICompute, AwsCompute>();
        services.AddSingleton<IInstanceLauncher, AwsLauncher>();
        services.AddSingleton<ICloudResources, AwsCloudResources>();
        services.AddSingleton<ISnapshots, AwsSnapshots>();
        services.AddSingleton<IBackupCloud, Backups.AwsBackupCloud>();
        services.AddSingleton<IRecoveryCloud, Backups.AwsRecoveryCloud>();
        services.AddSingleton<IKmsKeys, Backups.AwsKmsKeys>();
        services.AddSingleton<IRemoteCommands, AwsRemoteCommands>();
        services.AddSingleton<IInstanceAttributes, AwsInstanceAttributes>();
        services.AddSingleton<AwsLeftovers>();
        services.AddSingleton<IElasticIps>(sp => sp.GetRequiredService<AwsLeftovers>());
        services.AddSingleton<IVolumes>(sp => sp.GetRequiredService<AwsLeftovers>());
        services.AddSingleton<Domain.Provisioning.IInstanceTypeCatalog, AwsInstanceTypeCatalog>();
        services.AddSingleton<Domain.Provisioning.IImageCatalog, AwsImageCatalog>();
        services.AddSingleton<Domain.Compliance.IComplianceSource, Compliance.AwsComplianceSource>();
        services.AddSingleton<Domain.Compliance.IRemediator, Compliance.AwsRemediator>();

        // Our own client for the services without an SDK package here.
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AwsOptions>>().Value;
            return new AwsRetryPolicy(o.MaxAttempts, AttemptTimeout: TimeSpan.FromSeconds(o.RequestTimeoutSeconds));
        });
        services.TryAddSingleton(sp => new AwsProtocolClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<AwsRetryPolicy>(),
            sp.GetService<ILogger<AwsProtocolClient>>()));
        services.AddSingleton<IAutoScalingApi, AutoScalingClient>();
        services.AddSingleton<IElbV2Api, ElbV2Client>();
        services.AddSingleton<ICloudWatchApi, CloudWatchClient>();
        services.AddSingleton<ICostExplorerApi, CostExplorerClient>();
        services.AddSingleton<Domain.Monitoring.IMetricsSource, CloudWatchMetricsSource>();
        services.AddSingleton<Domain.Scaling.IScaling, AwsScaling>();
        services.AddSingleton<Domain.Scaling.IGroupCapacityMetrics, CloudWatchGroupMetrics>();
        services.AddSingleton<Domain.Monitoring.IAutoScalingCapacity, Domain.Scaling.ScalingScaleOut>();
        services.AddSingleton<Domain.Monitoring.IAlarmMirror, CloudWatchAlarmMirror>();
        services.AddSingleton<Domain.Costs.ISpendSource, AwsSpendSource>();
        services.AddSingleton<Domain.Costs.IUtilizationSource, CloudWatchUtilization>();
        services.AddSingleton<Domain.Costs.IResourceModifier, AwsResourceModifier>();
        services.AddSingleton<Domain.Costs.IPriceList, AwsPriceList>();
        services.AddSingleton<Domain.Costs.ICommitmentSource, AwsCommitmentSource>();
        services.AddSingleton<Domain.LoadBalancing.ILoadBalancing, AwsLoadBalancing>();
        services.AddSingleton<IInstanceStatusReader, AwsInstanceStatusReader>();
        return true;
    }
}
