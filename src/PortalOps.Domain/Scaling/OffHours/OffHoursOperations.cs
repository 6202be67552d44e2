using System.Globalization;
using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>A schedule as a person sees it: with its estimated saving.</summary>
public sealed record ScheduleView(SavedSchedule Schedule, ScheduleSaving Saving, bool RunningNow, ScheduleEdge? Next);

/// <summary>What a save or an override gave: field problems (nothing was submitted), or the pipeline's answer.</summary>
public sealed record OffHoursAnswer(IReadOnlyDictionary<string, string> Problems, ActionResult? Result)
{
    public bool Accepted => Problems.Count == 0 && Result is { IsSuccess: true };

    public static OffHoursAnswer Refused(string field, string problem) => new(new Dictionary<string, string> { [field] = problem }, null);
}

/// <summary>Everything the Off-hours page and the bot show, read once for a person: only what their scopes cover.</summary>
public sealed record OffHoursOverview(
    IReadOnlyList<ScheduleView> Schedules,
    IReadOnlyList<CalendarEntry> Calendar,
    IReadOnlyList<DriftItem> Drift,
    IReadOnlyList<StayStopped> StayingStopped,
    IReadOnlyList<ScheduleOverride> Overrides,
    IReadOnlyList<RunningLimit> Limits,
    IReadOnlyList<string> Problems);

/// <summary>
/// The off-hours use cases for pages and the bot: reads scoped to the person (schedules by their footprint, resources by their own
/// place and tags), saving a schedule and keeping a resource running through the one action pipeline. Input is checked here first:
/// a bad field is refused with its message and nothing is submitted.
/// </summary>
public sealed class OffHoursOperations(
    IOffHoursStore store,
    OffHoursSubjects subjects,
    OffHoursPlanner planner,
    ActionPipeline pipeline,
    TimeProvider clock)
{
    public const string UntilField = "Until";

    public OffHoursSettings Settings => planner.Settings;

    public async Task<OffHoursOverview> OverviewAsync(Actor actor, int calendarDays = 7, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var scope = Authorizer.ReadScopeOf(actor);
        var schedules = (await store.ListAsync(cancellationToken)).Where(s => scope.Covers(s.FootprintFor(Settings.TagKey))).ToList();
        var (all, problems) = await subjects.ReadAsync(cancellationToken);
        var visible = all.Where(s => scope.Covers(s.Footprint)).ToList();
        var overrides = (await store.OverridesEndingSinceAsync(now.AddDays(-8), cancellationToken)).ToList();
        var records = await store.RecordsSinceAsync(now.AddDays(-9), cancellationToken);
        var keys = visible.Select(s => s.Resource.Key).ToHashSet(StringComparer.Ordinal);
        var visibleOverrides = overrides.Where(o => keys.Contains(o.Resource.Key)).ToList();

        // Drift as the scheduler sees it (all schedules), shown for the resources this person may see.
        var tick = planner.Plan(now, await store.ListAsync(cancellationToken), visible, visibleOverrides, records);
        var views = schedules
            .Select(s => new ScheduleView(s, planner.Saving(s, visible, records, now), s.Schedule.ShouldRunAt(now), OffHoursPlanner.Edges(s.Schedule, now, now.AddDays(8)).FirstOrDefault()))
            .OrderBy(v => v.Schedule.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new OffHoursOverview(
            views,
            planner.Calendar(now, now.AddDays(calendarDays), schedules, visible, visibleOverrides.Where(o => o.IsActiveAt(now)).ToList()),
            tick.Drift,
            tick.StayingStopped,
            visibleOverrides.Where(o => o.IsActiveAt(now)).OrderBy(o => o.Until).ToList(),
            Settings.RunningLimits,
            problems);
    }

    /// <summary>A schedule this person may see, with its versions (newest first); null when it does not exist or is outside their scope.</summary>
    public async Task<IReadOnlyList<SavedSchedule>?> HistoryAsync(Actor actor, Guid id, CancellationToken cancellationToken = default)
    {
        var history = await store.HistoryAsync(id, cancellationToken);
        return history.Count > 0 && Authorizer.ReadScopeOf(actor).Covers(history[0].FootprintFor(Settings.TagKey)) ? history : null;
    }

    /// <summary>Submits a new schedule (<paramref name="id"/> null) or its next version; a bad field is answered at the field.</summary>
    public async Task<OffHoursAnswer> SaveAsync(Actor actor, Guid? id, ScheduleDraft draft, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var problems = draft.Problems();
        if (problems.Count > 0)
        {
            return new OffHoursAnswer(problems, null);
        }

        var content = draft.ToContent();
        var all = await store.ListAsync(cancellationToken);
        if (all.FirstOrDefault(s => string.Equals(s.Name, content.Name, StringComparison.OrdinalIgnoreCase) && s.Id != id) is not null)
        {
            return OffHoursAnswer.Refused(ScheduleDraft.NameField, $"A schedule called {content.Name} exists already; the name is the tag value, so it must be unique.");
        }

        int version;
        Guid scheduleId;
        if (id is { } known)
        {
            var current = all.FirstOrDefault(s => s.Id == known) ?? await store.FindAsync(known, cancellationToken);
            if (current is null)
            {
                return new OffHoursAnswer(new Dictionary<string, string>(), new ActionResult(ActionStatus.NotFound, "That schedule does not exist (any more)."));
            }

            if (!string.Equals(current.Name, content.Name, StringComparison.Ordinal))
            {
                return OffHoursAnswer.Refused(ScheduleDraft.NameField, "A schedule keeps its name (resources carry it as their tag); make a new schedule for another name.");
            }

            if (current.Content.AccountId != content.AccountId)
            {
                return OffHoursAnswer.Refused(ScheduleDraft.AccountField, "A schedule keeps its account; make a new schedule for another one.");
            }

            if (current.Content.Region != content.Region)
            {
                return OffHoursAnswer.Refused(ScheduleDraft.RegionField, "A schedule keeps its region; make a new schedule for another one.");
            }

            version = current.Version + 1;
            scheduleId = known;
        }
        else
        {
            version = 1;
            scheduleId = Guid.CreateVersion7(clock.GetUtcNow());
        }

        var target = new InstanceRef(content.AccountId ?? Scope.Any, content.Region ?? Scope.Any, scheduleId.ToString("N"));
        var result = await pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.SaveOffHoursSchedule, [target], version == 1 ? $"New schedule {content.Name}" : $"Schedule {content.Name} v{version}")
        {
            Parameters = new Dictionary<string, string>
            {
                [OffHoursExecutor.ScheduleParameter] = JsonSerializer.Serialize(content, OffHoursExecutor.Json),
                [OffHoursExecutor.VersionParameter] = version.ToString(CultureInfo.InvariantCulture),
                [OffHoursExecutor.AuthorParameter] = actor.Name,
                [OffHoursExecutor.AuthorIdParameter] = actor.UserId.ToString("N"),
            },
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
        return new OffHoursAnswer(new Dictionary<string, string>(), result);
    }

    /// <summary>
    /// "Keep running until": no schedule stop and no running-time limit stops the resource before <paramref name="until"/>; at that
    /// moment, if its schedule says off, the scheduler stops it. The time must be in the future and within the longest override.
    /// </summary>
    public async Task<OffHoursAnswer> KeepRunningAsync(Actor actor, OffHoursResource resource, DateTimeOffset until, string? reason, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (until <= now)
        {
            return OffHoursAnswer.Refused(UntilField, $"Choose a time after now ({now:yyyy-MM-dd HH:mm} UTC).");
        }

        if (until > now + Settings.LongestOverride)
        {
            return OffHoursAnswer.Refused(UntilField, $"An override lasts at most {Settings.LongestOverride.TotalDays:0} day(s); change the schedule for longer.");
        }

        var kind = resource.Kind == OffHoursResourceKind.Instance ? ActionKind.KeepInstancesRunning : ActionKind.KeepGroupsRunning;
        var result = await pipeline.SubmitAsync(actor, new ActionRequest(kind, [resource.Ref], reason ?? $"Keep running until {until:yyyy-MM-dd HH:mm} UTC")
        {
            Parameters = new Dictionary<string, string>
            {
                [OffHoursExecutor.UntilParameter] = until.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                [OffHoursExecutor.AuthorParameter] = actor.Name,
                [OffHoursExecutor.AuthorIdParameter] = actor.UserId.ToString("N"),
                ["reason"] = reason ?? string.Empty,
            },
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
        return new OffHoursAnswer(new Dictionary<string, string>(), result);
    }

    /// <summary>
    /// "HH:mm" today in <paramref name="timeZone"/> (tomorrow when that time has passed), as UTC; null when unreadable or the zone is
    /// unknown. What "keep running until 22:00 today" means on a page or in a chat.
    /// </summary>
    public static DateTimeOffset? TodayAt(string? text, string timeZone, DateTimeOffset now)
    {
        if (!TimeOnly.TryParseExact(text?.Trim(), ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        var at = new DateTimeOffset(day.ToDateTime(time), zone.GetUtcOffset(day.ToDateTime(time))).ToUniversalTime();
        return at <= now ? new DateTimeOffset(day.AddDays(1).ToDateTime(time), zone.GetUtcOffset(day.AddDays(1).ToDateTime(time))).ToUniversalTime() : at;
    }

    /// <summary>
    /// A scheduled or limited resource this person may see, by instance id, name or group name; null when there is none (outside
    /// their scope reads the same as missing).
    /// </summary>
    public async Task<ScheduleSubject?> FindAsync(Actor actor, string? text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var scope = Authorizer.ReadScopeOf(actor);
        var (all, _) = await subjects.ReadAsync(cancellationToken);
        var visible = all.Where(s => scope.Covers(s.Footprint)).ToList();
        return visible.FirstOrDefault(s => string.Equals(s.Resource.Ref.InstanceId, text, StringComparison.OrdinalIgnoreCase) || string.Equals(s.Resource.Ref.ToString(), text, StringComparison.OrdinalIgnoreCase))
            ?? visible.FirstOrDefault(s => string.Equals(s.Name, text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The time zone of the schedule a resource carries (UTC when it carries none).</summary>
    public async Task<string> TimeZoneOfAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        if (!tags.TryGetValue(Settings.TagKey, out var name))
        {
            return "UTC";
        }

        return (await store.ListAsync(cancellationToken)).FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))?.Content.TimeZone ?? "UTC";
    }
}

/// <summary>
/// Reads what schedules and limits may act on: instances carrying the schedule tag or a limited tag (from the inventory, paged at its
/// largest page) and Auto Scaling groups carrying the schedule tag.
/// </summary>
public sealed class OffHoursSubjects(IInventory inventory, OffHoursSettings settings, IScaling? scaling = null)
{
    /// <summary>The tag EC2 Auto Scaling puts on the instances it launches.</summary>
    public const string GroupMemberTag = "aws:autoscaling:groupName";

    public async Task<(IReadOnlyList<ScheduleSubject> Subjects, IReadOnlyList<string> Problems)> ReadAsync(CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, ScheduleSubject>(StringComparer.Ordinal);
        var tags = new List<string> { settings.TagKey };
        tags.AddRange(settings.RunningLimits.Select(l => $"{l.TagKey}={l.TagValue}"));
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
        {
            for (var page = 0; ; page++)
            {
                var items = await inventory.QueryAsync(new InstanceQuery { Tag = tag, PageIndex = page, PageSize = InstanceQuery.MaxPageSize, SortBy = InstanceSort.InstanceId }, cancellationToken);
                foreach (var instance in items.Items)
                {
                    // An Auto Scaling group's instances follow their group (which carries the schedule), never the instance rules.
                    if (!instance.Tags.ContainsKey(GroupMemberTag) && ScheduleSubject.Of(instance) is { } subject)
                    {
                        found.TryAdd(subject.Resource.Key, subject);
                    }
                }

                if ((page + 1) * InstanceQuery.MaxPageSize >= items.TotalCount || items.Items.Count == 0)
                {
                    break;
                }
            }
        }

        var problems = new List<string>();
        if (scaling is not null)
        {
            var listing = await scaling.ListGroupsAsync(cancellationToken);
            problems.AddRange(listing.Problems);
            foreach (var group in listing.Groups.Where(g => g.Tags.ContainsKey(settings.TagKey) && g.Status is null))
            {
                var subject = ScheduleSubject.Of(group);
                found.TryAdd(subject.Resource.Key, subject);
            }
        }

        return (found.Values.ToList(), problems);
    }
}
