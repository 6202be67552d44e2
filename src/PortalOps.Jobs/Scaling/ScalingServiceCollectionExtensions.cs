using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Scaling;

public static class ScalingServiceCollectionExtensions
{
    /// <summary>
    /// Auto Scaling (section <c>Scaling</c>): the use cases over the cloud's <see cref="IScaling"/> (registered with the AWS provider
    /// or the Sandbox), the executor of the scaling kinds, the capacity history store and job, and the monitoring scale-out
    /// corrective action over the same port.
    /// </summary>
    public static IServiceCollection AddScaling(this IServiceCollection services)
    {
        services.AddSectionOptions<ScalingOptions>(ScalingOptions.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ScalingOptions>>().Value.ToGuard());
        services.TryAddSingleton<ICapacityHistory, EfCapacityHistory>();
        services.TryAddScoped<ScalingOperations>();
        services.TryAddScoped<CapacityRecorder>();
        services.AddScoped<IActionExecutor, ScalingExecutor>();
        services.TryAddTransient<ScalingHistoryJob>();
        services.TryAddScoped<Telegram.Scaling.ScalingTelegram>();
        services.AddHostedService<ScalingStart>();
        return services;
    }
}

/// <summary>
/// At start: registers the capacity history schedule; in the Sandbox, fills the last day of history (once: a moment is stored once)
/// so the group page's chart has something to show on first start.
/// </summary>
internal sealed class ScalingStart(IServiceProvider services, IOptions<ScalingOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.HistoryIntervalMinutes;
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterScaling(manager, interval);
        }

        if (options.Value.SeedSandbox && services.GetService<IScaling>() is SandboxScaling sandbox)
        {
            var clock = services.GetRequiredService<TimeProvider>();
            var now = clock.GetUtcNow();
            var step = TimeSpan.FromMinutes(interval);
            var to = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % step.Ticks), TimeSpan.Zero);
            await services.GetRequiredService<ICapacityHistory>().RecordAsync(sandbox.Backfill(to.AddDays(-1), to, step), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
