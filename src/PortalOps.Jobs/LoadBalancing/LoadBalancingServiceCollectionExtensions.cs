using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Configuration;

namespace PortalOps.Jobs.LoadBalancing;

public static class LoadBalancingServiceCollectionExtensions
{
    /// <summary>
    /// Load balancing (section <c>LoadBalancing</c>): reads for pages and the bot, the register/deregister executor, drain before
    /// stop (also the patching module's reboot preparation), the last-healthy-target approval condition and the health watch job.
    /// Needs the cloud's <see cref="ILoadBalancing"/> (registered with the AWS provider or the sandbox); without one nothing is added.
    /// Call before <c>AddPatching</c>, whose reboot preparation is a TryAdd.
    /// </summary>
    public static IServiceCollection AddLoadBalancing(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(ILoadBalancing)))
        {
            return services;
        }

        services.AddSectionOptions<LoadBalancingOptions>(LoadBalancingOptions.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LoadBalancingOptions>>().Value.ToSettings());
        services.TryAddSingleton<LoadBalancingReads>();
        services.TryAddSingleton<IDrainedRegistrations, Persistence.EfDrainedRegistrations>();
        services.TryAddSingleton<IRegistrationIndex, Persistence.EfRegistrationIndex>();
        services.TryAddSingleton<IDrainProgressStore, Persistence.EfDrainProgressStore>();
        services.TryAddSingleton(sp => new DrainProgressFeed(sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<IDrainProgressStore>()));
        services.TryAddSingleton<IDrainProgress>(sp => sp.GetRequiredService<DrainProgressFeed>());
        services.TryAddSingleton<TargetDrainer>();
        services.TryAddSingleton<IInstanceDrain>(sp => sp.GetRequiredService<TargetDrainer>());
        services.TryAddSingleton<IRebootPreparation>(sp => sp.GetRequiredService<TargetDrainer>());
        services.AddSingleton<IApprovalCondition, LastHealthyTargetCondition>();
        services.AddScoped<IActionExecutor, TargetRegistrationExecutor>();
        services.TryAddSingleton<NoHealthyTargetsWatch>();
        services.TryAddSingleton<Telegram.LoadBalancing.LoadBalancerSummaryView>();
        services.TryAddTransient<NoHealthyTargetsJob>();
        services.TryAddTransient<DrainResume>();
        services.TryAddTransient<DrainResumeJob>();
        services.AddHostedService<LoadBalancingStart>();
        return services;
    }
}

/// <summary>Looks for target groups with no healthy targets and tells people (rolled up; once per change). Safe twice.</summary>
public sealed class NoHealthyTargetsJob(NoHealthyTargetsWatch watch, IOptions<LoadBalancingOptions> options)
{
    [JobDisplayName("Watch target group health")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Value.WatchHealth)
        {
            await watch.CheckAsync(cancellationToken);
        }
    }
}

/// <summary>Registers running instances again whose drained registrations a restart left behind. Safe twice (taking them is once).</summary>
public sealed class DrainResumeJob(DrainResume resume)
{
    [JobDisplayName("Resume interrupted drains")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public Task RunAsync(CancellationToken cancellationToken) => resume.ResumeAsync(cancellationToken);
}

/// <summary>Registers the load balancing schedule at start.</summary>
internal sealed class LoadBalancingStart(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterLoadBalancing(manager);
            Scheduling.RecurringJobs.RegisterDrainResume(manager);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
