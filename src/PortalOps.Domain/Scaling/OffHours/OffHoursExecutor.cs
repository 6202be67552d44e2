using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// Carries out the off-hours kinds once the pipeline authorized them: saves a schedule version (the version asked for, so running an
/// approved request twice saves once), records an override (its id comes from the idempotency key, so a repeat adds none), and
/// scales a group to zero or back through <see cref="IScaling"/>.
/// </summary>
public sealed class OffHoursExecutor(IOffHoursStore store, OffHoursSettings settings, TimeProvider clock, IScaling? scaling = null) : IActionExecutor
{
    public const string ScheduleParameter = "schedule";
    public const string VersionParameter = "version";
    public const string AuthorParameter = "author";
    public const string AuthorIdParameter = "authorId";
    public const string UntilParameter = "until";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ActionKind[] Kinds =
        [ActionKind.SaveOffHoursSchedule, ActionKind.KeepInstancesRunning, ActionKind.KeepGroupsRunning, ActionKind.SleepGroups, ActionKind.WakeGroups];

    public bool CanExecute(ActionKind kind) => Kinds.Contains(kind);

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        if (kind == ActionKind.SaveOffHoursSchedule)
        {
            var saved = Guid.TryParseExact(target.InstanceId, "N", out var id) ? await store.FindAsync(id, cancellationToken) : null;
            if (saved is null)
            {
                // A new schedule is judged on where it will act (its account and region); it has no name anyone is scoped to yet.
                return new ResolvedTarget(target, "new off-hours schedule", new Dictionary<string, string>());
            }

            var footprint = saved.FootprintFor(settings.TagKey);
            return new ResolvedTarget(new InstanceRef(Star(footprint.Account), Star(footprint.Region), target.InstanceId), saved.Name, footprint.Tags);
        }

        // Groups (keep running, sleep, wake): looked up so the pipeline judges the group's own place and tags.
        return scaling is not null && await scaling.FindGroupAsync(GroupRef.FromTarget(target), cancellationToken) is { } group
            ? new ResolvedTarget(group.Ref.AsTarget, group.Name, group.Tags)
            : null;
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            if (kind == ActionKind.SaveOffHoursSchedule)
            {
                return await SaveAsync(targets.Single(), parameters, cancellationToken);
            }

            if (kind == ActionKind.KeepInstancesRunning || kind == ActionKind.KeepGroupsRunning)
            {
                return await KeepAsync(kind, targets, parameters, idempotencyKey, cancellationToken);
            }

            if (scaling is null)
            {
                return new ActionExecution(false, "Auto Scaling is not available here.", null);
            }

            var ids = new List<string>();
            var done = new List<string>();
            foreach (var target in targets)
            {
                var group = GroupRef.FromTarget(target.Ref);
                var change = kind == ActionKind.SleepGroups ? new CapacityChange(0, 0, 0) : CapacityChange.FromParameters(parameters);
                if (change is null || change.Check().Count > 0)
                {
                    return new ActionExecution(false, "The capacity to give back could not be read.", null);
                }

                if (kind == ActionKind.WakeGroups && await scaling.FindGroupAsync(group, cancellationToken) is { } now && now.MaxSize > change.MaxSize)
                {
                    // Someone raised max meanwhile: keep theirs rather than cut it.
                    change = change with { MaxSize = now.MaxSize };
                }

                if (await scaling.SetCapacityAsync(group, change, cancellationToken) is { } requestId)
                {
                    ids.Add(requestId);
                }

                done.Add($"{group.Name}: {change}.");
            }

            return new ActionExecution(true, string.Join(" ", done), ids.Count == 0 ? null : string.Join(",", ids));
        }
        catch (DomainException e)
        {
            return new ActionExecution(false, e.Message, null);
        }
    }

    /// <summary>The override's id for a request: the same key gives the same id, so a repeat adds nothing.</summary>
    public static Guid OverrideId(string idempotencyKey, OffHoursResource resource) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{idempotencyKey}|{resource.Key}")).AsSpan(0, 16));

    private async Task<ActionExecution> KeepAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (!DateTimeOffset.TryParse(parameters.GetValueOrDefault(UntilParameter), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
        {
            return new ActionExecution(false, "Say until when to keep running.", null);
        }

        var now = clock.GetUtcNow();
        var author = parameters.GetValueOrDefault(AuthorParameter) ?? "unknown";
        var authorId = Guid.TryParseExact(parameters.GetValueOrDefault(AuthorIdParameter), "N", out var id) ? id : Guid.Empty;
        foreach (var target in targets)
        {
            var resource = kind == ActionKind.KeepInstancesRunning ? OffHoursResource.Instance(target.Ref) : OffHoursResource.Group(GroupRef.FromTarget(target.Ref));
            await store.AddOverrideAsync(new ScheduleOverride(OverrideId(idempotencyKey, resource), resource, until.ToUniversalTime(), authorId, author, parameters.GetValueOrDefault("reason"), now), cancellationToken);
        }

        return new ActionExecution(true, $"{string.Join(", ", targets.Take(5).Select(t => t.Name))}{(targets.Count > 5 ? $" and {targets.Count - 5} more" : string.Empty)} kept running until {until.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.", null);
    }

    private async Task<ActionExecution> SaveAsync(ResolvedTarget target, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var content = JsonSerializer.Deserialize<ScheduleContent>(parameters.GetValueOrDefault(ScheduleParameter) ?? "null", Json)
            ?? throw new DomainException("The request carries no schedule.");
        var version = int.Parse(parameters[VersionParameter], CultureInfo.InvariantCulture);
        var id = Guid.ParseExact(target.Ref.InstanceId, "N");
        var current = await store.FindAsync(id, cancellationToken);
        if (current is not null && current.Version >= version)
        {
            return current.Version == version
                ? new ActionExecution(true, $"Schedule {current.Name} v{current.Version} was already saved.", null)
                : new ActionExecution(false, $"Schedule {current.Name} is at v{current.Version} already; this change was made for v{version - 1}. Edit it again.", null);
        }

        if (version > 1 && current?.Version != version - 1)
        {
            return new ActionExecution(false, "The schedule changed or disappeared since this edit was asked for. Edit it again.", null);
        }

        if (content.Schedule.Check() is { Count: > 0 } problems)
        {
            return new ActionExecution(false, string.Join(" ", problems.Values), null);
        }

        var saved = new SavedSchedule(id, version, content,
            Guid.TryParseExact(parameters.GetValueOrDefault(AuthorIdParameter), "N", out var by) ? by : Guid.Empty,
            parameters.GetValueOrDefault(AuthorParameter) ?? "unknown", clock.GetUtcNow());
        try
        {
            await store.AddVersionAsync(saved, cancellationToken);
        }
        catch (ConcurrencyConflictException e)
        {
            return new ActionExecution(false, e.Message, null);
        }

        return new ActionExecution(true, $"Saved schedule {saved.Name} v{saved.Version} ({content.Periods.Count} period(s), {content.Holidays.Count} holiday(s), {content.TimeZone}).", null);
    }

    private static string Star(string value) => string.IsNullOrEmpty(value) ? Security.Scope.Any : value;
}
