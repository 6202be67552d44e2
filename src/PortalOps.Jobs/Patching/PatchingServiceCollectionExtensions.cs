using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram.Patching;

namespace PortalOps.Jobs.Patching;

public static class PatchingServiceCollectionExtensions
{
    /// <summary>
    /// Patching (section <c>Patching</c>): stores in the portal database, the scan and run use cases, the install executor, the health
    /// gate over monitoring and the live EC2 status (when the cloud registered an <see cref="IInstanceStatusReader"/>), Telegram progress,
    /// and the two recurring jobs. The drain before a reboot is <see cref="NoRebootPreparation"/>
    /// unless another module registered an <see cref="IRebootPreparation"/> first (TryAdd).
    /// </summary>
    public static IServiceCollection AddPatching(this IServiceCollection services)
    {
        services.AddSectionOptions<PatchingOptions>(PatchingOptions.Section);
        services.TryAddSingleton<IPatchRunStore, EfPatchRunStore>();
        services.TryAddSingleton<IPatchCatalog, EfPatchCatalog>();
        services.TryAddSingleton<EfPatchStateStore>();
        services.TryAddSingleton<IPatchStateStore>(sp => sp.GetRequiredService<EfPatchStateStore>());
        services.TryAddSingleton<IPatchComplianceSummary>(sp => sp.GetRequiredService<EfPatchStateStore>());
        services.TryAddSingleton<IRebootPreparation, NoRebootPreparation>();
        services.TryAddSingleton<IPatchHealthGate, MonitoringHealthGate>();
        services.TryAddSingleton<IPatchRunNotifier, PatchRunMessages>();
        services.TryAddSingleton<PatchSummaryView>();
        services.TryAddScoped<PatchScanner>();
        services.TryAddScoped<PatchRunEngine>();
        services.TryAddScoped<PatchRuns>();
        services.TryAddScoped<PatchBaselines>();
        services.AddScoped<IActionExecutor, PatchInstallExecutor>();
        services.TryAddTransient<PatchScanJob>();
        services.TryAddTransient<PatchRunJob>();
        services.AddHostedService<PatchingStart>();
        return services;
    }
}

/// <summary>
/// At start: in the Sandbox, seeds a baseline per OS and a patch group per environment when there are none (so the pages show a
/// run on first start); then asks for a scan at once rather than at the next scheduled hour (safe: the scan is claimed).
/// </summary>
internal sealed class PatchingStart(IServiceProvider services, IOptions<PatchingOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.SeedSandbox && services.GetService<Sandbox.SandboxCloud>() is not null)
        {
            try
            {
                await SeedAsync(services.GetRequiredService<IPatchCatalog>(), services.GetRequiredService<TimeProvider>(), cancellationToken);
            }
            catch (Exception e) when (e is ConcurrencyConflictException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // Another node seeded first.
            }
        }

        services.GetService<IRecurringJobManager>()?.Trigger(Scheduling.RecurringJobs.PatchScan);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static async Task SeedAsync(IPatchCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        if ((await catalog.BaselinesAsync(cancellationToken)).Count > 0)
        {
            return;
        }

        var system = new Actor(Guid.Empty, "PortalOps", Role.Admin, [Scope.Parse("*/*")], Channel.System);
        var now = clock.GetUtcNow();
        var linux = PatchBaseline.Create(new PatchBaselineDraft("linux-security", "AMAZON_LINUX_2023", ["Security", "Bugfix"], ["Critical", "Important", "Medium"], 7, [], []), system, now);
        var windows = PatchBaseline.Create(new PatchBaselineDraft("windows-critical", "WINDOWS", ["CriticalUpdates", "SecurityUpdates"], ["Critical", "Important"], 7, [], []), system, now);
        await catalog.AddVersionAsync(linux, cancellationToken);
        await catalog.AddVersionAsync(windows, cancellationToken);
        var baselines = new Dictionary<string, Guid> { [linux.OperatingSystem.Name] = linux.Id, [windows.OperatingSystem.Name] = windows.Id };
        foreach (var env in new[] { "prod", "staging", "dev" })
        {
            await catalog.SaveGroupAsync(PatchGroup.Create(env, "env", env, baselines), cancellationToken);
        }
    }
}
