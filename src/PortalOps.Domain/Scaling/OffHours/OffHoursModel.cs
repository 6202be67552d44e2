using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// What a saved off-hours schedule says: its periods and holidays (<see cref="OffHoursSchedule"/>), where it acts (an account and a
/// region, each optional: empty means every one) and whether it is switched on. Resources join it by carrying the tag
/// <c>Schedule=&lt;name&gt;</c> (the key is a setting).
/// </summary>
public sealed record ScheduleContent(
    string Name,
    string TimeZone,
    IReadOnlyList<SchedulePeriod> Periods,
    IReadOnlyList<DateOnly> Holidays,
    string? AccountId = null,
    string? Region = null,
    bool Enabled = true)
{
    public OffHoursSchedule Schedule => new(Name, TimeZone, Periods, Holidays);
}

/// <summary>One version of a schedule as stored; every edit adds a version with its author.</summary>
public sealed record SavedSchedule(Guid Id, int Version, ScheduleContent Content, Guid UpdatedBy, string UpdatedByName, DateTimeOffset UpdatedAt)
{
    public string Name => Content.Name;

    public OffHoursSchedule Schedule => Content.Schedule;

    /// <summary>When version 1 was saved: edges before it are never acted on (a new schedule does not catch up on the past).</summary>
    public DateTimeOffset CreatedAt { get; init; } = UpdatedAt;

    /// <summary>
    /// Where the resources it acts on lie: its account and region (empty: any) and the tag that attaches them. Seeing or changing the
    /// schedule needs a scope that covers this.
    /// </summary>
    public Footprint FootprintFor(string tagKey) => Footprint.Of(Content.AccountId ?? string.Empty, Content.Region ?? string.Empty, new Dictionary<string, string>(StringComparer.Ordinal) { [tagKey] = Name });

    /// <summary>Whether a resource at this place with these tags belongs to this schedule.</summary>
    public bool Attaches(string tagKey, string accountId, string region, IReadOnlyDictionary<string, string> tags) =>
        Content.Enabled
        && tags.TryGetValue(tagKey, out var value) && string.Equals(value?.Trim(), Name, StringComparison.OrdinalIgnoreCase)
        && (string.IsNullOrEmpty(Content.AccountId) || Content.AccountId == accountId)
        && (string.IsNullOrEmpty(Content.Region) || Content.Region == region);
}

public enum OffHoursResourceKind
{
    Instance,
    Group,
}

/// <summary>An instance or an Auto Scaling group (its name in place of the id), as schedules, overrides and records name it.</summary>
public sealed record OffHoursResource(OffHoursResourceKind Kind, InstanceRef Ref)
{
    public string Key => $"{(Kind == OffHoursResourceKind.Instance ? "i" : "g")}:{Ref}";

    public static OffHoursResource Instance(InstanceRef instance) => new(OffHoursResourceKind.Instance, instance);

    public static OffHoursResource Group(GroupRef group) => new(OffHoursResourceKind.Group, group.AsTarget);

    public static OffHoursResource? FromKey(string? key)
    {
        if (key is not { Length: > 2 } || key[1] != ':' || !InstanceRef.TryParse(key[2..], out var reference))
        {
            return null;
        }

        return key[0] switch
        {
            'i' => new OffHoursResource(OffHoursResourceKind.Instance, reference!),
            'g' => new OffHoursResource(OffHoursResourceKind.Group, reference!),
            _ => null,
        };
    }

    public override string ToString() => Key;
}

/// <summary>"Keep running until": while it lasts, no schedule edge and no running-time limit stops the resource.</summary>
public sealed record ScheduleOverride(Guid Id, OffHoursResource Resource, DateTimeOffset Until, Guid By, string ByName, string? Reason, DateTimeOffset CreatedAt)
{
    public bool IsActiveAt(DateTimeOffset now) => Until > now;
}

/// <summary>What the scheduler does to a resource at a moment.</summary>
public enum EdgeAction
{
    /// <summary>Stop an instance at a stop edge (or when an override ran out outside the periods).</summary>
    Stop,

    /// <summary>Start an instance the schedule stopped.</summary>
    Start,

    /// <summary>Scale a group to 0/0/0, remembering its min, desired and max.</summary>
    Sleep,

    /// <summary>Give a group back the capacity it had before <see cref="Sleep"/>.</summary>
    Wake,

    /// <summary>Stop an instance that ran longer than its tag's limit.</summary>
    LimitStop,

    /// <summary>The warning sent before a <see cref="LimitStop"/>.</summary>
    Warn,

    /// <summary>The alert sent when a resource's state differs from its schedule.</summary>
    DriftAlert,
}

public enum EdgeOutcome
{
    /// <summary>Taken by a run that has not recorded the outcome yet.</summary>
    Claimed,
    Done,

    /// <summary>Nothing to do (already in that state, stopped by hand, overridden): recorded so no run looks again.</summary>
    Skipped,

    /// <summary>Waits for an approver (an approval rule covers the kind).</summary>
    Pending,
    Failed,
}

/// <summary>
/// One thing the scheduler did (or decided not to do) for one resource at one moment, keyed by source, resource and moment: the key
/// is taken once across runs and nodes, so an edge acts once.
/// </summary>
public sealed record EdgeRecord(
    string Key,
    Guid? ScheduleId,
    string ScheduleName,
    OffHoursResource Resource,
    DateTimeOffset At,
    EdgeAction Action,
    EdgeOutcome Outcome,
    string? Summary,
    DateTimeOffset ClaimedAt)
{
    /// <summary>For <see cref="EdgeAction.Sleep"/>: the capacity to give back.</summary>
    public CapacityChange? Previous { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public static string KeyOf(string source, OffHoursResource resource, DateTimeOffset at, EdgeAction action) =>
        $"{source}|{resource.Key}|{at.UtcTicks}|{action}";
}

/// <summary>
/// "Instances tagged <see cref="TagKey"/>=<see cref="TagValue"/> run at most <see cref="Hours"/> hours after each start."
/// </summary>
public sealed record RunningLimit(string TagKey, string TagValue, double Hours)
{
    public TimeSpan Duration => TimeSpan.FromHours(Hours);

    public bool Applies(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(TagKey, out var value) && string.Equals(value, TagValue, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{TagKey}={TagValue} ≤ {Hours:0.##} h";

    /// <summary>Parses "key=value:hours" (e.g. "env=dev:8"); null when malformed.</summary>
    public static RunningLimit? Parse(string? text)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        var equals = text?.IndexOf('=', StringComparison.Ordinal) ?? -1;
        if (text is null || colon < 0 || equals <= 0 || equals > colon)
        {
            return null;
        }

        return double.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var hours) && hours is > 0 and <= 24 * 31
            ? new RunningLimit(text[..equals].Trim(), text[(equals + 1)..colon].Trim(), hours)
            : null;
    }
}

/// <summary>How the scheduler behaves (section <c>OffHours</c>).</summary>
public sealed record OffHoursSettings
{
    /// <summary>The tag whose value names a resource's schedule.</summary>
    public string TagKey { get; init; } = "Schedule";

    /// <summary>An edge (or an override's end) older than this is not acted on any more (the portal was down): it shows as drift instead.</summary>
    public TimeSpan CatchUp { get; init; } = TimeSpan.FromHours(1);

    /// <summary>After an edge, how long a resource may take to reach its state before it counts as drift.</summary>
    public TimeSpan DriftGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long before a running-time limit the warning goes out.</summary>
    public TimeSpan WarnBefore { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the warning's Keep-running button keeps an instance running past its limit.</summary>
    public TimeSpan KeepRunningFor { get; init; } = TimeSpan.FromHours(2);

    /// <summary>The longest override anyone may set.</summary>
    public TimeSpan LongestOverride { get; init; } = TimeSpan.FromDays(7);

    public IReadOnlyList<RunningLimit> RunningLimits { get; init; } = [];
}
