using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>Something a schedule may act on, as it is now.</summary>
public sealed record ScheduleSubject(OffHoursResource Resource, string Name, IReadOnlyDictionary<string, string> Tags, bool Running)
{
    /// <summary>A group's min, desired and max now.</summary>
    public CapacityChange? Capacity { get; init; }

    /// <summary>An instance's type (a group's: that of its instances), for the saving estimate.</summary>
    public string? InstanceType { get; init; }

    /// <summary>When a running instance last started.</summary>
    public DateTimeOffset? RunningSince { get; init; }

    public Footprint Footprint => Footprint.Of(Resource.Ref.AccountId, Resource.Ref.Region, Tags);

    /// <summary>Instances that are not gone, folded to running (pending, running) or not (stopping, stopped); null for gone ones.</summary>
    public static ScheduleSubject? Of(Instance instance) => instance.State switch
    {
        InstanceState.Running or InstanceState.Pending => new ScheduleSubject(OffHoursResource.Instance(instance.Ref), instance.Name, instance.Tags, true)
        {
            InstanceType = instance.InstanceType, RunningSince = instance.State == InstanceState.Running ? instance.LaunchTime : null,
        },
        InstanceState.Stopped or InstanceState.Stopping => new ScheduleSubject(OffHoursResource.Instance(instance.Ref), instance.Name, instance.Tags, false) { InstanceType = instance.InstanceType },
        _ => null,
    };

    /// <summary>A group "runs" while it asks for capacity (min or desired above zero).</summary>
    public static ScheduleSubject Of(ScalingGroup group) =>
        new(OffHoursResource.Group(group.Ref), group.Name, group.Tags, group.MinSize > 0 || group.DesiredCapacity > 0)
        {
            Capacity = CapacityChange.Of(group),
            InstanceType = group.Instances.FirstOrDefault(i => i.InstanceType is not null)?.InstanceType,
        };
}

/// <summary>One thing a scheduler run should do (or record as not needed), under its once-only key.</summary>
public sealed record PlannedStep(string Key, SavedSchedule? Schedule, ScheduleSubject Subject, EdgeAction Action, DateTimeOffset At, string Why)
{
    /// <summary>Set when nothing is to be sent: the record is written with this outcome and <see cref="Why"/>.</summary>
    public EdgeOutcome? RecordOnly { get; init; }

    /// <summary>For <see cref="EdgeAction.Sleep"/>: the capacity to remember; for <see cref="EdgeAction.Wake"/>: the capacity to give back.</summary>
    public CapacityChange? Capacity { get; init; }

    /// <summary>For <see cref="EdgeAction.Warn"/>: when the instance will be stopped.</summary>
    public DateTimeOffset? StopsAt { get; init; }

    public string SourceName => Schedule?.Name ?? "running-time limit";
}

/// <summary>A resource whose state differs from its schedule.</summary>
public sealed record DriftItem(ScheduleSubject Subject, string ScheduleName, bool ShouldRun, DateTimeOffset Since, string Key)
{
    public string Description => ShouldRun
        ? Subject.Resource.Kind == OffHoursResourceKind.Instance ? "stopped, but its schedule says running (the start did not happen or failed)" : "at zero, but its schedule says running"
        : Subject.Resource.Kind == OffHoursResourceKind.Instance ? "running outside its schedule's periods" : "has capacity outside its schedule's periods";
}

/// <summary>A resource that stays stopped although its schedule runs: someone stopped it by hand, so the schedule leaves it.</summary>
public sealed record StayStopped(ScheduleSubject Subject, string ScheduleName);

/// <summary>What one scheduler run found: steps (actions, warnings, records), drift, and resources staying stopped by choice.</summary>
public sealed record OffHoursTick(IReadOnlyList<PlannedStep> Steps, IReadOnlyList<DriftItem> Drift, IReadOnlyList<StayStopped> StayingStopped, int Evaluated);

/// <summary>One event of the calendar: what a schedule (or an override's end) does when, to how many resources.</summary>
public sealed record CalendarEntry(DateTimeOffset At, string ScheduleName, string TimeZone, EdgeKind Kind, int Resources, string What);

/// <summary>
/// The scheduler's rules, pure (a fake clock tests them): at each period edge stop or start instances and put groups to sleep or wake
/// them, once per schedule, resource and edge; start only what the portal stopped ("stay stopped"); leave alone what an override keeps
/// running, and stop it when the override ends outside the periods; stop instances that run longer than their tag's limit, with a
/// warning before; list drift.
/// </summary>
public sealed class OffHoursPlanner(OffHoursSettings settings)
{
    /// <summary>A stop followed by a start within this time (adjacent periods, a period to 24:00 and one from 00:00) is no edge at all.</summary>
    private static readonly TimeSpan Seam = TimeSpan.FromMinutes(1);

    public OffHoursSettings Settings => settings;

    /// <summary>The schedule's edges in [from, to), with seams between adjacent periods removed.</summary>
    public static IReadOnlyList<ScheduleEdge> Edges(OffHoursSchedule schedule, DateTimeOffset from, DateTimeOffset to)
    {
        var raw = schedule.EdgesBetween(from - Seam, to + Seam);
        var kept = new List<ScheduleEdge>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            if (raw[i].Kind == EdgeKind.Stop && i + 1 < raw.Count && raw[i + 1].Kind == EdgeKind.Start && raw[i + 1].At - raw[i].At <= Seam)
            {
                i++;
                continue;
            }

            kept.Add(raw[i]);
        }

        return kept.Where(e => e.At >= from && e.At < to).ToList();
    }

    /// <summary>The latest real edge at or before <paramref name="at"/> within eight days.</summary>
    public static ScheduleEdge? LastEdge(OffHoursSchedule schedule, DateTimeOffset at) => Edges(schedule, at.AddDays(-8), at.AddTicks(1)).LastOrDefault();

    public OffHoursTick Plan(
        DateTimeOffset now,
        IReadOnlyList<SavedSchedule> schedules,
        IReadOnlyList<ScheduleSubject> subjects,
        IReadOnlyList<ScheduleOverride> overrides,
        IReadOnlyList<EdgeRecord> records)
    {
        var steps = new List<PlannedStep>();
        var drift = new List<DriftItem>();
        var stay = new List<StayStopped>();
        var recorded = new HashSet<string>(records.Select(r => r.Key), StringComparer.Ordinal);
        var history = records.Where(r => r.Outcome is EdgeOutcome.Done or EdgeOutcome.Skipped).ToLookup(r => r.Resource.Key, StringComparer.Ordinal);
        var byResource = overrides.ToLookup(o => o.Resource.Key, StringComparer.Ordinal);
        var byName = schedules.Where(s => s.Content.Enabled).GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        var lastEdges = new Dictionary<Guid, ScheduleEdge?>();

        foreach (var subject in subjects)
        {
            var resourceOverrides = byResource[subject.Resource.Key].ToList();
            var activeOverride = resourceOverrides.Where(o => o.IsActiveAt(now)).MaxBy(o => o.Until);
            PlanLimit(now, subject, resourceOverrides, recorded, steps);

            if (!subject.Tags.TryGetValue(settings.TagKey, out var tagValue)
                || !byName.TryGetValue(tagValue.Trim(), out var named)
                || named.FirstOrDefault(s => s.Attaches(settings.TagKey, subject.Resource.Ref.AccountId, subject.Resource.Ref.Region, subject.Tags)) is not { } schedule)
            {
                continue;
            }

            if (activeOverride is not null)
            {
                continue; // Kept running on purpose: no edge acts, and it is not drift.
            }

            if (!lastEdges.TryGetValue(schedule.Id, out var edge))
            {
                edge = LastEdge(schedule.Schedule, now) is { } last && last.At >= schedule.CreatedAt ? last : null;
                lastEdges[schedule.Id] = edge;
            }

            var ended = resourceOverrides.Where(o => o.Until <= now).MaxBy(o => o.Until);
            var source = schedule.Id.ToString("N");
            if (ended is not null && (edge is null || ended.Until > edge.At) && !schedule.Schedule.ShouldRunAt(ended.Until))
            {
                edge = new ScheduleEdge(ended.Until, EdgeKind.Stop);
                source = $"override:{ended.Id:N}";
            }

            var portalStopped = PortalStopped(subject, history[subject.Resource.Key], out var sleep);
            if (edge is not null && now - edge.At <= settings.CatchUp)
            {
                PlanEdge(schedule, subject, edge, source, portalStopped, sleep, recorded, steps);
            }

            var shouldRun = schedule.Schedule.ShouldRunAt(now);
            var settled = edge is null || now - edge.At >= settings.DriftGrace;
            if (shouldRun && !subject.Running && !portalStopped)
            {
                stay.Add(new StayStopped(subject, schedule.Name));
            }
            else if (settled && shouldRun != subject.Running)
            {
                var since = edge?.At ?? now;
                drift.Add(new DriftItem(subject, schedule.Name, shouldRun, since, EdgeRecord.KeyOf("drift", subject.Resource, since, EdgeAction.DriftAlert)));
            }
        }

        return new OffHoursTick(steps, drift, stay, subjects.Count);
    }

    private static void PlanEdge(SavedSchedule schedule, ScheduleSubject subject, ScheduleEdge edge, string source, bool portalStopped, EdgeRecord? sleep, HashSet<string> recorded, List<PlannedStep> steps)
    {
        var instance = subject.Resource.Kind == OffHoursResourceKind.Instance;
        var action = edge.Kind == EdgeKind.Stop ? instance ? EdgeAction.Stop : EdgeAction.Sleep : instance ? EdgeAction.Start : EdgeAction.Wake;
        var key = EdgeRecord.KeyOf(source, subject.Resource, edge.At, action);
        if (recorded.Contains(key))
        {
            return;
        }

        var step = new PlannedStep(key, schedule, subject, action, edge.At, string.Empty);
        steps.Add(action switch
        {
            EdgeAction.Stop when subject.Running => step with { Why = $"{schedule.Name}: stop at {edge.At:u}" },
            EdgeAction.Stop => step with { Why = "Already stopped.", RecordOnly = EdgeOutcome.Skipped },
            EdgeAction.Sleep when subject.Running => step with { Why = $"{schedule.Name}: to zero at {edge.At:u}", Capacity = subject.Capacity },
            EdgeAction.Sleep => step with { Why = "Already at zero.", RecordOnly = EdgeOutcome.Skipped },
            EdgeAction.Start when subject.Running => step with { Why = "Already running.", RecordOnly = EdgeOutcome.Skipped },
            EdgeAction.Start when portalStopped => step with { Why = $"{schedule.Name}: start at {edge.At:u}" },
            EdgeAction.Start => step with { Why = "Stays stopped: it was stopped by someone, not by the schedule.", RecordOnly = EdgeOutcome.Skipped },
            EdgeAction.Wake when subject.Running => step with { Why = "Already has capacity.", RecordOnly = EdgeOutcome.Skipped },
            EdgeAction.Wake when portalStopped && sleep?.Previous is { } previous => step with { Why = $"{schedule.Name}: back to {previous} at {edge.At:u}", Capacity = previous },
            _ => step with { Why = "Stays at zero: it was scaled to zero by someone, not by the schedule.", RecordOnly = EdgeOutcome.Skipped },
        });
    }

    /// <summary>
    /// Whether the portal itself stopped the resource last: of what the portal did to it, the latest is a stop, a limit stop or a sleep
    /// (not a start or a wake). Anything else — stopped by hand after the portal started it, or never stopped by the portal — stays
    /// stopped.
    /// </summary>
    private static bool PortalStopped(ScheduleSubject subject, IEnumerable<EdgeRecord> history, out EdgeRecord? sleep)
    {
        var latest = history
            .Where(r => r.Outcome == EdgeOutcome.Done && r.Action is EdgeAction.Stop or EdgeAction.LimitStop or EdgeAction.Start or EdgeAction.Sleep or EdgeAction.Wake)
            .MaxBy(r => (r.At, r.ClaimedAt));
        sleep = latest is { Action: EdgeAction.Sleep, Outcome: EdgeOutcome.Done } ? latest : null;
        return latest is { Outcome: EdgeOutcome.Done, Action: EdgeAction.Stop or EdgeAction.LimitStop or EdgeAction.Sleep } && !subject.Running;
    }

    private void PlanLimit(DateTimeOffset now, ScheduleSubject subject, IReadOnlyList<ScheduleOverride> overrides, HashSet<string> recorded, List<PlannedStep> steps)
    {
        if (subject is not { Running: true, RunningSince: { } since, Resource.Kind: OffHoursResourceKind.Instance }
            || settings.RunningLimits.Where(l => l.Applies(subject.Tags)).MinBy(l => l.Hours) is not { } limit)
        {
            return;
        }

        var deadline = since + limit.Duration;
        if (overrides.Where(o => o.CreatedAt >= since).MaxBy(o => o.Until) is { } kept && kept.Until > deadline)
        {
            deadline = kept.Until;
        }

        if (now >= deadline)
        {
            var key = EdgeRecord.KeyOf("limit", subject.Resource, deadline, EdgeAction.LimitStop);
            if (!recorded.Contains(key))
            {
                steps.Add(new PlannedStep(key, null, subject, EdgeAction.LimitStop, deadline, $"Ran longer than {limit}."));
            }
        }
        else if (now >= deadline - settings.WarnBefore)
        {
            var key = EdgeRecord.KeyOf("limit", subject.Resource, deadline, EdgeAction.Warn);
            if (!recorded.Contains(key))
            {
                steps.Add(new PlannedStep(key, null, subject, EdgeAction.Warn, deadline, $"Stops at {deadline:u} ({limit}).") { StopsAt = deadline });
            }
        }
    }

    /// <summary>What the schedules do in [from, to): each edge with the number of resources it concerns, and overrides that end.</summary>
    public IReadOnlyList<CalendarEntry> Calendar(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<SavedSchedule> schedules, IReadOnlyList<ScheduleSubject> subjects, IReadOnlyList<ScheduleOverride> overrides)
    {
        var entries = new List<CalendarEntry>();
        foreach (var schedule in schedules.Where(s => s.Content.Enabled))
        {
            var attached = subjects.Count(s => schedule.Attaches(settings.TagKey, s.Resource.Ref.AccountId, s.Resource.Ref.Region, s.Tags));
            foreach (var edge in Edges(schedule.Schedule, from, to))
            {
                entries.Add(new CalendarEntry(edge.At, schedule.Name, schedule.Content.TimeZone, edge.Kind, attached,
                    edge.Kind == EdgeKind.Start ? "start / wake what it stopped" : "stop / scale to zero"));
            }
        }

        foreach (var o in overrides.Where(o => o.Until >= from && o.Until < to))
        {
            entries.Add(new CalendarEntry(o.Until, "override", "UTC", EdgeKind.Stop, 1, $"keep-running of {o.Resource.Ref.InstanceId} ends ({o.ByName})"));
        }

        return entries.OrderBy(e => e.At).ThenBy(e => e.ScheduleName, StringComparer.Ordinal).ToList();
    }

    /// <summary>The share of the time the schedule runs, over the four weeks from <paramref name="from"/> (holidays included).</summary>
    public static double RunningShare(OffHoursSchedule schedule, DateTimeOffset from)
    {
        var to = from.AddDays(28);
        var running = TimeSpan.Zero;
        DateTimeOffset? since = schedule.ShouldRunAt(from) ? from : null;
        foreach (var edge in Edges(schedule, from, to))
        {
            if (edge.Kind == EdgeKind.Start)
            {
                since ??= edge.At;
            }
            else if (since is { } s)
            {
                running += edge.At - s;
                since = null;
            }
        }

        if (since is { } open)
        {
            running += to - open;
        }

        return Math.Clamp(running / (to - from), 0, 1);
    }

    /// <summary>
    /// The estimated saving per month of a schedule over running its resources all the time, from the bundled price table: each
    /// instance's hourly price (a group's: its usual desired capacity times its instances' price) for the hours it is off.
    /// Resources whose type has no price are counted in <see cref="ScheduleSaving.Unpriced"/>.
    /// </summary>
    public ScheduleSaving Saving(SavedSchedule schedule, IReadOnlyList<ScheduleSubject> subjects, IReadOnlyList<EdgeRecord> records, DateTimeOffset now)
    {
        var off = 1 - RunningShare(schedule.Schedule, now);
        var attached = subjects.Where(s => schedule.Attaches(settings.TagKey, s.Resource.Ref.AccountId, s.Resource.Ref.Region, s.Tags)).ToList();
        var sleeps = records.Where(r => r.Action == EdgeAction.Sleep && r.Outcome == EdgeOutcome.Done && r.Previous is not null)
            .GroupBy(r => r.Resource.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(r => r.At)!.Previous!, StringComparer.Ordinal);
        decimal perMonth = 0;
        var unpriced = 0;
        foreach (var s in attached)
        {
            var count = s.Resource.Kind == OffHoursResourceKind.Instance ? 1
                : s.Capacity is { DesiredCapacity: > 0 } c ? c.DesiredCapacity
                : sleeps.GetValueOrDefault(s.Resource.Key)?.DesiredCapacity ?? 0;
            if (s.InstanceType is not { } type || PriceTable.Hourly(s.Resource.Ref.Region, type) is not { } price)
            {
                unpriced += count > 0 ? 1 : 0;
                continue;
            }

            perMonth += price.PerHour * count * (decimal)(PriceTable.HoursPerMonth * off);
        }

        return new ScheduleSaving(decimal.Round(perMonth, 2), attached.Count, unpriced, off);
    }
}

/// <summary>A schedule's estimated saving per month (USD, list prices), over how many resources, and the share of time they are off.</summary>
public sealed record ScheduleSaving(decimal PerMonth, int Resources, int Unpriced, double OffShare);
