using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Scheduling;
using PortalOps.Jobs.Secrets;

namespace PortalOps.Jobs;

/// <summary>Registrations of the back end. The host calls these from its composition root.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// The portal database and its stores: SQLite in <c>Data:Path</c> (default <c>data</c> under the content root), or PostgreSQL
    /// when <c>ConnectionStrings:PortalOps</c> is set. Also keeps the Data Protection keys in that database, so web nodes share them.
    /// Call <see cref="MigrateDatabaseAsync"/> once the host is built and before it runs.
    /// </summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment) =>
        services.AddPersistence(configuration, environment.ContentRootPath);

    /// <inheritdoc cref="AddPersistence(IServiceCollection, IConfiguration, IHostEnvironment)"/>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        services.AddOptions<DataOptions>().BindConfiguration(DataOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataOptions>>(new DataOptionsValidator(contentRootPath)));
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(PortalDatabase.FromConfiguration(configuration, contentRootPath));
        services.TryAddSingleton<IDbContextFactory<PortalDbContext>>(sp =>
            new PortalDbContextFactory(sp.GetRequiredService<PortalDatabase>(), sp.GetService<ILoggerFactory>()));
        services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());

        services.TryAddSingleton(sp =>
        {
            var (path, generate) = DataOptions.ResolveKeyFile(
                configuration[$"{DataOptions.Section}:{nameof(DataOptions.KeyFile)}"], sp.GetRequiredService<PortalDatabase>().DataDirectory, contentRootPath);
            return new SecretProtector(SecretKeyFile.Load(path, generate));
        });
        services.TryAddSingleton<IUserStore, EfUserStore>();
        services.TryAddSingleton<EfLoginFailures>();
        services.TryAddSingleton<ScaleOut.SandboxNodeLock>();
        services.TryAddSingleton<ISessionStore, EfSessionStore>();
        services.TryAddSingleton<IApprovalStore, EfApprovalStore>();
        services.TryAddSingleton<Domain.Actions.IActionLedger, EfActionLedger>();
        services.AddOptions<Audit.AuditOptions>().BindConfiguration(Audit.AuditOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Audit.AuditOptions>, Audit.AuditOptionsValidator>());
        services.TryAddSingleton(sp => Audit.AuditKeyFile.LoadOrCreate(
            Path.Combine(sp.GetRequiredService<PortalDatabase>().DataDirectory, sp.GetRequiredService<IOptions<Audit.AuditOptions>>().Value.KeyPath),
            sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(Audit.AuditKeyFile))));
        services.TryAddSingleton(sp => new Audit.AuditCheckpointFile(
            Path.Combine(sp.GetRequiredService<PortalDatabase>().DataDirectory, sp.GetRequiredService<IOptions<Audit.AuditOptions>>().Value.CheckpointPath)));
        services.TryAddSingleton<EfAuditLog>();
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<EfAuditLog>());
        services.TryAddSingleton<IInbox, EfInbox>();
        services.TryAddSingleton<ISetupTokenStore, EfSetupTokenStore>();
        services.TryAddSingleton<IApprovalRuleStore, EfApprovalRuleStore>();
        services.TryAddSingleton<Domain.Provisioning.ILaunchTemplateStore, EfLaunchTemplateStore>();
        services.TryAddSingleton<InboxNotifier>();
        services.TryAddSingleton<INotifier>(sp => sp.GetRequiredService<InboxNotifier>());

        // The keys live in the database, encrypted with the key file's key, which stays outside the database.
        services.AddDataProtection()
            .SetApplicationName("PortalOps")
            .PersistKeysToDbContext<PortalDbContext>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<SecretProtector>((options, protector) => options.XmlEncryptor = new KeyFileXmlEncryptor(protector));
        return services;
    }

    /// <summary>
    /// Hangfire on durable storage beside the database (hangfire.db in the data folder, or PostgreSQL), the action scheduler,
    /// the jobs and their recurring schedules. A Hangfire server runs only when <c>Jobs:Role</c> is <c>all</c> (default) or <c>worker</c>.
    /// Needs <see cref="AddPersistence(IServiceCollection, IConfiguration, string)"/>.
    /// </summary>
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // This node's own storage and activator, instead of Hangfire's process-wide JobStorage.Current / JobActivator.Current.
        services.TryAddSingleton(sp =>
        {
            // Hangfire logs through a process-wide provider; point it at this host's logging before the storage logs anything.
            HangfireLogging.Use(sp.GetRequiredService<ILoggerFactory>());
            return HangfireStorageFactory.Create(sp.GetRequiredService<PortalDatabase>(), sp.GetRequiredService<IOptions<JobsOptions>>().Value);
        });
        services.TryAddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));

        // Job durations and failures for the metrics (PortalMetrics): this node's filter, beside Hangfire's global ones.
        services.TryAddSingleton<Observability.PortalMetrics>();
        services.TryAddSingleton<JobTelemetryFilter>();
        services.TryAddSingleton<IJobFilterProvider>(sp =>
        {
            var own = new JobFilterCollection();
            own.Add(sp.GetRequiredService<JobTelemetryFilter>());
            return new JobFilterProviderCollection(JobFilterProviders.Providers, own);
        });
        services.AddHangfire((sp, config) => config
            .UseLogProvider(HangfireLogging.Provider)
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        services.TryAddSingleton<IActionScheduler, HangfireActionScheduler>();
        services.TryAddTransient<ExecuteApprovedActionJob>();
        services.TryAddTransient<ExpireApprovalsJob>();
        services.TryAddTransient<SweepApprovedActionsJob>();
        services.TryAddSingleton<Domain.Audit.IAuditVerification, Audit.AuditVerificationService>();
        services.TryAddTransient<Audit.VerifyAuditChainJob>();
        services.AddHostedService<RecurringJobsRegistration>();

        // The role decides whether this node processes jobs at all; an unknown role fails at start through the options validator.
        var role = configuration[$"{JobsOptions.Section}:{nameof(JobsOptions.Role)}"];
        if (NodeRoles.IsWeb(role))
        {
            // A web node only sends to Telegram: worker (or all) nodes fetch the updates, whatever Telegram:Polling says.
            services.PostConfigure<Telegram.TelegramOptions>(telegram => telegram.Polling = false);
        }

        if (NodeRoles.RunsServer(role))
        {
            services.AddHangfireServer((sp, server) =>
            {
                var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                server.WorkerCount = options.WorkerCount;
                server.ServerName = HangfireHealthCheck.ServerName;
                server.ShutdownTimeout = TimeSpan.FromSeconds(10);
            });
        }

        return services;
    }

    /// <summary>
    /// Creates the data folder (SQLite), applies the provider's pending migrations and sets up Hangfire's schema. Safe with several
    /// nodes starting at once: on PostgreSQL all of it runs under <see cref="StartupLock"/>, one node after the other.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<PortalDatabase>();
        database.EnsureDataDirectory();
        await using var startupLock = await StartupLock.AcquireAsync(
            database, services.GetService<ILoggerFactory>()?.CreateLogger(typeof(StartupLock)), cancellationToken);
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // Write-ahead logging lets readers work while a writer commits; the mode is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);

        // Hangfire sets up its schema when its storage is built (PrepareSchemaIfNecessary): build this node's storage now, under the lock.
        _ = services.GetService<JobStorage>();

        // Installations from before encryption at rest: their TOTP secrets are encrypted now, not at the next change.
        if (services.GetService<IUserStore>() is EfUserStore users)
        {
            await users.EncryptPlainTotpSecretsAsync(cancellationToken);
        }

        // The audit key is read (or made) at start, so a malformed key file stops the start with its key's name.
        _ = services.GetService<Domain.Audit.AuditKey>();
    }
}
