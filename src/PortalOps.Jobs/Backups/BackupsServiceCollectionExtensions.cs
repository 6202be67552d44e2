using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Backups;

public static class BackupsServiceCollectionExtensions
{
    /// <summary>
    /// Backups (section <c>Backups</c>): stores in the portal database, cron over Cronos, the planner and run engine, the Sandbox's
    /// simulated snapshots when no AWS provider registered <see cref="IBackupCloud"/>, and the two recurring jobs.
    /// </summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddSectionOptions<BackupsOptions>(BackupsOptions.Section);
        services.TryAddSingleton<IBackupPolicyStore, EfBackupPolicyStore>();
        services.TryAddSingleton<IBackupRunStore, EfBackupRunStore>();
        services.TryAddSingleton<IBackupProtectionStore, EfBackupProtectionStore>();
        services.TryAddSingleton<ICronSchedule, CronosSchedule>();
        services.TryAddSingleton<IBackupDrillStore, EfBackupDrillStore>();
        services.TryAddSingleton<IBackupNotices, EfBackupNotices>();
        services.TryAddSingleton<IBackupNotifier>(sp => sp.GetService<Domain.Notifications.INotifier>() is { } notifier && sp.GetService<IUserStore>() is { } users
            ? new BackupNotifications(users, notifier, sp.GetRequiredService<IBackupProtectionStore>(), sp.GetRequiredService<IBackupNotices>(), sp.GetRequiredService<TimeProvider>())
            : new SilentBackupNotifier());
        services.TryAddSingleton<IBackupCloud>(sp => new SandboxBackupCloud(sp.GetRequiredService<SandboxCloud>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<BackupsOptions>>()));
        services.TryAddSingleton<IRecoveryCloud>(sp => sp.GetRequiredService<IBackupCloud>() as IRecoveryCloud
            ?? throw new InvalidOperationException("No IRecoveryCloud is registered for the configured backup cloud."));
        services.TryAddSingleton<IKmsKeys>(sp => sp.GetRequiredService<IBackupCloud>() as IKmsKeys ?? new UncheckedKmsKeys());
        services.TryAddScoped(sp => new DrillEngine(sp.GetRequiredService<IBackupDrillStore>(), sp.GetRequiredService<IBackupPolicyStore>(), sp.GetRequiredService<IRecoveryCloud>(),
            sp.GetRequiredService<IInventory>(), sp.GetRequiredService<TimeProvider>())
        {
            Timeout = TimeSpan.FromMinutes(sp.GetRequiredService<IOptions<BackupsOptions>>().Value.DrillTimeoutMinutes),
        });
        services.TryAddSingleton(sp => new BackupPlanner(sp.GetRequiredService<ICronSchedule>())
        {
            CatchUp = TimeSpan.FromHours(sp.GetRequiredService<IOptions<BackupsOptions>>().Value.CatchUpHours),
        });
        services.TryAddScoped(sp => new BackupRunEngine(
            sp.GetRequiredService<IBackupPolicyStore>(), sp.GetRequiredService<IBackupRunStore>(), sp.GetRequiredService<IInventory>(),
            sp.GetRequiredService<IBackupCloud>(), sp.GetRequiredService<IBackupProtectionStore>(), sp.GetRequiredService<BackupPlanner>(),
            sp.GetRequiredService<IBackupNotifier>(), sp.GetRequiredService<TimeProvider>())
        {
            Settings = sp.GetRequiredService<IOptions<BackupsOptions>>().Value.Engine,
        });
        services.TryAddSingleton(sp => new BackupRunRequests(sp.GetService<IBackgroundJobClient>()));
        services.TryAddScoped(sp => new BackupActions(sp.GetRequiredService<IBackupPolicyStore>(), sp.GetRequiredService<ICronSchedule>(),
            sp.GetRequiredService<Domain.Actions.ActionPipeline>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<IKmsKeys>(),
            sp.GetService<IBackupCloud>(), sp.GetService<IInventory>())
        {
            RequireApprovalForPolicies = sp.GetRequiredService<IOptions<BackupsOptions>>().Value.ApprovePolicyChanges,
            RequireApprovalForRestores = sp.GetRequiredService<IOptions<BackupsOptions>>().Value.ApproveRestores,
        });
        services.AddScoped<Domain.Actions.IActionExecutor, BackupActionExecutor>();
        services.TryAddTransient<BackupWindowJob>();
        services.TryAddTransient<BackupRunJob>();
        services.TryAddTransient<BackupDrillJob>();
        services.TryAddScoped<Telegram.Backups.BackupTelegram>();
        services.TryAddTransient<BackupRpoJob>();
        services.AddHostedService<BackupsStart>();
        return services;
    }
}

/// <summary>
/// At start: registers the backup schedules and, in the Sandbox, seeds one policy for env=prod instances (hourly kept 24, daily kept 14,
/// copied to the other sandbox region) when there is none, so the pages show runs on first start.
/// </summary>
internal sealed class BackupsStart(IServiceProvider services, IOptions<BackupsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterBackups(manager);
        }

        if (options.Value.SeedSandbox && services.GetService<SandboxCloud>() is not null)
        {
            try
            {
                await SeedAsync(services.GetRequiredService<IBackupPolicyStore>(), services.GetRequiredService<ICronSchedule>(), services.GetRequiredService<TimeProvider>(), cancellationToken);
            }
            catch (Exception e) when (e is ConcurrencyConflictException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // Another node seeded first.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static async Task SeedAsync(IBackupPolicyStore store, ICronSchedule cron, TimeProvider clock, CancellationToken cancellationToken)
    {
        if ((await store.ListAsync(cancellationToken)).Count > 0)
        {
            return;
        }

        var system = new Actor(Guid.Empty, "PortalOps", Role.Admin, [Scope.Everything], Channel.System);
        var draft = new BackupPolicyDraft("prod-daily", SandboxFleet.AccountId, SandboxFleet.Regions[0], new Dictionary<string, string> { ["env"] = "prod" }, [],
            [new BackupRule("hourly", "0 * * * *", "UTC", 24, 2), new BackupRule("daily", "30 2 * * *", "Europe/Dublin", 14, 30)],
            Copy: new DisasterRecoveryCopy(SandboxFleet.Regions[1], null, 7, 14), RpoHours: 2);
        await store.AddVersionAsync(BackupPolicy.Create(draft, cron, system, clock.GetUtcNow().AddHours(-3)), cancellationToken);
    }
}
