using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Costs;

public static class CostsServiceCollectionExtensions
{
    /// <summary>
    /// Costs (section <c>Costs</c>): the recommendation store, the scanner over the cloud's utilization source, the spend overview
    /// over the cloud's spend source, the resize/volume executor, and the daily scan job. Needs the cloud's
    /// <see cref="ISpendSource"/>, <see cref="IUtilizationSource"/> and <see cref="IResourceModifier"/> (the AWS provider or the sandbox).
    /// </summary>
    public static IServiceCollection AddCosts(this IServiceCollection services)
    {
        services.AddSectionOptions<CostsOptions>(CostsOptions.Section);
        services.TryAddSingleton<ICostRecommendationStore, EfCostRecommendationStore>();
        services.TryAddSingleton<IPriceStore, EfPriceStore>();
        services.TryAddSingleton<ICostCoverageStore, EfCostCoverageStore>();
        services.TryAddSingleton<IScheduledResizeStore, EfScheduledResizeStore>();
        services.TryAddScoped(sp => new CostScanner(
            sp.GetRequiredService<Domain.Instances.IInventory>(), sp.GetRequiredService<Domain.Accounts.ICloudProvider>(), sp.GetRequiredService<Domain.Instances.ICloudResources>(),
            sp.GetRequiredService<Domain.Instances.IElasticIps>(), sp.GetRequiredService<IUtilizationSource>(), sp.GetRequiredService<ICostRecommendationStore>(),
            sp.GetRequiredService<TimeProvider>())
        {
            Settings = sp.GetRequiredService<IOptions<CostsOptions>>().Value.ToSettings(),
            Snapshots = sp.GetRequiredService<IOptions<CostsOptions>>().Value.ToSnapshotSettings(),
            Prices = sp.GetService<IPriceStore>(),
            Commitments = sp.GetService<ICommitmentSource>(),
            Coverage = sp.GetService<ICostCoverageStore>(),
            BackupPolicies = sp.GetService<Domain.Backups.IBackupPolicyStore>(),
            BackupCloud = sp.GetService<Domain.Backups.IBackupCloud>(),
        });
        services.TryAddScoped(sp => new PriceRefresher(sp.GetRequiredService<IPriceList>(), sp.GetRequiredService<IPriceStore>(), sp.GetRequiredService<Domain.Accounts.ICloudProvider>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped<ScheduledResizeRunner>();
        services.AddScoped<IActionExecutor, SnapshotDeleteExecutor>();
        services.TryAddTransient<PriceRefreshJob>();
        services.TryAddTransient<ScheduledResizesJob>();
        services.TryAddScoped<CostOverview>();
        services.TryAddScoped<ResizeCheck>();
        services.TryAddScoped<CostRecommendations>();
        services.TryAddScoped<ResizeExecutor>();
        services.AddScoped<IActionExecutor>(sp => sp.GetRequiredService<ResizeExecutor>());
        services.TryAddScoped<Telegram.Costs.CostTelegram>();
        services.TryAddTransient<CostScanJob>();
        services.TryAddTransient<CostScanRequests>();
        services.AddHostedService<CostsStart>();
        services.AddCostWatch();
        return services;
    }
}
