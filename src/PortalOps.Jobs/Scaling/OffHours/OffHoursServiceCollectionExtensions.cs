using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Configuration;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Scaling.OffHours;

public static class OffHoursServiceCollectionExtensions
{
    /// <summary>
    /// Off-hours schedules (section <c>OffHours</c>): the store in the portal database, the planner, the use cases for pages and the bot,
    /// the executor of the off-hours kinds, the scheduler job (every minute), attaching a schedule from an idle instance's cost
    /// recommendation and, in the Sandbox, two schedules attached at start.
    /// </summary>
    public static IServiceCollection AddOffHours(this IServiceCollection services)
    {
        services.AddSectionOptions<OffHoursOptions>(OffHoursOptions.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<OffHoursOptions>>().Value.ToSettings());
        services.TryAddSingleton<IOffHoursStore, EfOffHoursStore>();
        services.TryAddSingleton(sp => new OffHoursPlanner(sp.GetRequiredService<OffHoursSettings>()));
        services.TryAddScoped(sp => new OffHoursSubjects(sp.GetRequiredService<IInventory>(), sp.GetRequiredService<OffHoursSettings>(), sp.GetService<IScaling>()));
        services.TryAddScoped<OffHoursOperations>();
        // "Attach off-hours schedule" on an idle instance's cost recommendation: resolved only where AddCosts' recommendation store is
        // registered too (the Costs page and the bot's cost screens), so a host without costs still builds.
        services.TryAddScoped(sp => new Domain.Costs.RecommendationSchedules(
            sp.GetRequiredService<Domain.Costs.ICostRecommendationStore>(), sp.GetRequiredService<IOffHoursStore>(), sp.GetRequiredService<OffHoursSettings>(),
            sp.GetRequiredService<IInventory>(), sp.GetRequiredService<ActionPipeline>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<Domain.Costs.ISavingsStore>()));
        services.TryAddScoped<OffHoursEngine>();
        services.TryAddSingleton<IOffHoursAlerts>(sp =>
            sp.GetService<IOptions<Telegram.TelegramOptions>>()?.Value.Enabled == true && sp.GetService<Telegram.Outbox.TelegramOutbox>() is not null
                ? ActivatorUtilities.CreateInstance<Telegram.OffHours.TelegramOffHoursAlerts>(sp)
                : new NotifierOffHoursAlerts(sp.GetRequiredService<INotifier>()));
        services.AddScoped<IActionExecutor>(sp => new OffHoursExecutor(
            sp.GetRequiredService<IOffHoursStore>(), sp.GetRequiredService<OffHoursSettings>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<IScaling>()));
        services.TryAddTransient<OffHoursJob>();
        services.TryAddScoped<Telegram.OffHours.OffHoursTelegram>();
        services.AddHostedService<OffHoursStart>();
        return services;
    }
}

/// <summary>
/// At start: registers the scheduler's recurring job; in the Sandbox, when there is no schedule yet, saves two (office hours in Berlin,
/// a longer day in Dublin) and tags simulated dev and staging instances and two groups with them, so the page shows something at once.
/// </summary>
internal sealed class OffHoursStart(IServiceProvider services, IOptions<OffHoursOptions> options) : IHostedService
{
    public const string OfficeHours = "office-hours";
    public const string LongDay = "long-day";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IRecurringJobManager>() is { } manager)
        {
            Scheduling.RecurringJobs.RegisterOffHours(manager);
        }

        if (options.Value.SeedSandbox && services.GetService<SandboxCloud>() is { } sandbox)
        {
            try
            {
                await SeedAsync(services.GetRequiredService<IOffHoursStore>(), sandbox, services.GetService<IScaling>() as SandboxScaling,
                    services.GetRequiredService<OffHoursSettings>(), services.GetRequiredService<TimeProvider>(), cancellationToken);
            }
            catch (Exception e) when (e is ConcurrencyConflictException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // Another node seeded first.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static async Task SeedAsync(IOffHoursStore store, SandboxCloud sandbox, SandboxScaling? scaling, OffHoursSettings settings, TimeProvider clock, CancellationToken cancellationToken)
    {
        if ((await store.ListAsync(cancellationToken)).Count > 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var weekdays = ScheduleDraft.Week.Take(5).ToList();
        var year = now.Year;
        var office = new ScheduleContent(OfficeHours, "Europe/Berlin",
            weekdays.Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(),
            [new DateOnly(year, 12, 24), new DateOnly(year, 12, 25), new DateOnly(year, 12, 31), new DateOnly(year + 1, 1, 1)],
            SandboxFleet.AccountId, SandboxFleet.Regions[0]);
        var longDay = new ScheduleContent(LongDay, "Europe/Dublin",
            [.. weekdays.Select(d => new SchedulePeriod(d, new TimeOnly(7, 0), new TimeOnly(21, 0))), new SchedulePeriod(DayOfWeek.Saturday, new TimeOnly(9, 0), new TimeOnly(13, 0))],
            [new DateOnly(year, 12, 25), new DateOnly(year, 12, 26)],
            SandboxFleet.AccountId);
        await store.AddVersionAsync(new SavedSchedule(Guid.CreateVersion7(now), 1, office, Guid.Empty, "PortalOps", now), cancellationToken);
        await store.AddVersionAsync(new SavedSchedule(Guid.CreateVersion7(now), 1, longDay, Guid.Empty, "PortalOps", now), cancellationToken);

        foreach (var (env, schedule, region) in new[] { ("dev", OfficeHours, SandboxFleet.Regions[0]), ("staging", LongDay, (string?)null) })
        {
            var page = await sandbox.QueryAsync(new InstanceQuery { Tag = $"env={env}", Region = region, PageSize = InstanceQuery.MaxPageSize }, cancellationToken);
            foreach (var instance in page.Items.Where(i => i.State != InstanceState.Terminated && !i.Tags.ContainsKey(settings.TagKey)).Take(12))
            {
                await sandbox.SetTagsAsync(instance.Ref, new Dictionary<string, string> { [settings.TagKey] = schedule }, [], cancellationToken);
            }
        }

        scaling?.SetTag(new GroupRef(SandboxFleet.AccountId, SandboxFleet.Regions[0], "staging-worker"), settings.TagKey, OfficeHours);
        scaling?.SetTag(new GroupRef(SandboxFleet.AccountId, SandboxFleet.Regions[1], SandboxScaling.FlakyGroup), settings.TagKey, LongDay);
    }
}
