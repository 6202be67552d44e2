using Microsoft.Extensions.Options;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox account's Auto Scaling groups. Groups with a target-tracking policy follow the simulated load (busy afternoons,
/// quiet nights and weekends), re-evaluated every five minutes as AWS's own target tracking would; new instances are pending for
/// <see cref="SandboxOptions.PendingSeconds"/> before they are in service, and leaving ones take
/// <see cref="SandboxOptions.ShuttingDownSeconds"/>. One group (<see cref="FlakyGroup"/>) fails to launch for ten minutes every
/// hour, with AWS's own InsufficientInstanceCapacity message. State lives in memory and moves on whenever it is read.
/// </summary>
public sealed partial class SandboxScaling(IOptions<SandboxOptions> options, TimeProvider clock) : IScaling, IGroupCapacityMetrics
{
    public const string FlakyGroup = "dev-batch";
    public static readonly TimeSpan Evaluation = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly SandboxOptions _options = options.Value;
    private Dictionary<GroupRef, State>? _groups;
    private long _sequence;

    public Task<GroupListing> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            return Task.FromResult(new GroupListing(Groups().Values.Select(s => Reconcile(s, now)).OrderBy(g => g.Name, StringComparer.Ordinal).ToList(), []));
        }
    }

    /// <summary>Sets a tag on a simulated group (the Sandbox's seeding; AWS tags groups with CreateOrUpdateTags).</summary>
    internal bool SetTag(GroupRef group, string key, string value)
    {
        lock (_gate)
        {
            if (!Groups().TryGetValue(group, out var s))
            {
                return false;
            }

            s.Tags[key] = value;
            return true;
        }
    }

    public Task<ScalingGroup?> FindGroupAsync(GroupRef group, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Groups().TryGetValue(group, out var s) ? Reconcile(s, clock.GetUtcNow()) : null);
        }
    }

    public Task<IReadOnlyList<ScalingActivity>> ActivitiesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) =>
        Read(group, s => (IReadOnlyList<ScalingActivity>)s.Activities.OrderByDescending(a => a.StartedAt).Take(max).ToList(), []);

    public Task<IReadOnlyList<ScalingPolicy>> PoliciesAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        Read(group, s => (IReadOnlyList<ScalingPolicy>)s.Policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList(), []);

    public Task<IReadOnlyList<ScheduledAction>> ScheduledActionsAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        Read(group, s => (IReadOnlyList<ScheduledAction>)s.Scheduled.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToList(), []);

    public Task<string?> SetCapacityAsync(GroupRef group, CapacityChange change, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            if (change.Check() is { Count: > 0 } problems)
            {
                throw new InvalidOperationException($"ValidationError: {string.Join(" ", problems.Values)}");
            }

            (s.Min, s.Desired, s.Max) = (change.MinSize, change.DesiredCapacity, change.MaxSize);
        });

    public Task<string?> PutPolicyAsync(GroupRef group, ScalingPolicy policy, CancellationToken cancellationToken = default) =>
        Change(group, s => s.Policies[policy.Name] = policy with { Arn = $"arn:aws:autoscaling:{group.Region}:{group.AccountId}:scalingPolicy:{Guid.NewGuid()}:autoScalingGroupName/{group.Name}:policyName/{policy.Name}" });

    public Task<string?> DeletePolicyAsync(GroupRef group, string policyName, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            if (!s.Policies.Remove(policyName))
            {
                throw new InvalidOperationException($"ValidationError: Policy {policyName} does not exist on {group.Name}.");
            }
        });

    public Task<string?> PutScheduledActionAsync(GroupRef group, ScheduledAction action, CancellationToken cancellationToken = default) =>
        Change(group, s => s.Scheduled[action.Name] = action with { Arn = $"arn:aws:autoscaling:{group.Region}:{group.AccountId}:scheduledUpdateGroupAction:{Guid.NewGuid()}:autoScalingGroupName/{group.Name}:scheduledActionName/{action.Name}" });

    public Task<string?> DeleteScheduledActionAsync(GroupRef group, string actionName, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            if (!s.Scheduled.Remove(actionName))
            {
                throw new InvalidOperationException($"ValidationError: Scheduled action {actionName} does not exist on {group.Name}.");
            }
        });

    public Task<string?> SuspendProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) =>
        Change(group, s => s.Suspended.UnionWith(processes));

    public Task<string?> ResumeProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) =>
        Change(group, s => s.Suspended.ExceptWith(processes));

    /// <summary>What target tracking asks of a group at a moment: the simulated work divided by the policy's target.</summary>
    public static int TrackedDesired(int baseLoad, double target, int min, int max, DateTimeOffset at)
    {
        var hour = at.UtcDateTime.Hour + (at.UtcDateTime.Minute / 60.0);
        var weekend = at.UtcDateTime.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.5 : 1.0;
        var daily = Math.Max(0, Math.Sin((hour - 8) / 24 * 2 * Math.PI));
        var work = baseLoad * (25 + (70 * daily * weekend));
        return Math.Clamp((int)Math.Ceiling(work / Math.Max(1, target)), min, max);
    }

    /// <summary>Whether the flaky group's launches fail at this moment: ten minutes in every hour (:20 to :30).</summary>
    public static bool LaunchFailsAt(DateTimeOffset at) => at.UtcDateTime.Minute is >= 20 and < 30;

    /// <summary>Capacity samples for the past, as the groups would have had them, so the chart has a history on first start.</summary>
    public IReadOnlyList<CapacitySample> Backfill(DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        lock (_gate)
        {
            var samples = new List<CapacitySample>();
            foreach (var s in Groups().Values)
            {
                for (var at = from; at < to; at += step)
                {
                    var (desired, inService) = Simulated(s, at);
                    samples.Add(new CapacitySample(s.Ref, at, s.Min, desired, s.Max, inService, desired - inService, 0));
                }
            }

            return samples;
        }
    }

    /// <summary>
    /// The simulated CloudWatch group metrics: one point per period from the moment metrics collection was enabled on the group
    /// (prod-api six hours ago, so its chart joins CloudWatch to the stored history; never on staging-worker, so its page says
    /// the metrics are not enabled; the others since they were made), none from the future.
    /// </summary>
    public Task<GroupMetricsFetch> CapacityAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
    {
        if (period < TimeSpan.FromMinutes(1) || period.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Group metrics are published every minute: the period must be a whole number of minutes.");
        }

        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (!Groups().TryGetValue(group, out var s) || s.MetricsSince is not { } since)
            {
                return Task.FromResult(new GroupMetricsFetch([], period, 1));
            }

            var points = new List<CapacityPoint>();
            var start = new DateTimeOffset(from.UtcTicks - (from.UtcTicks % period.Ticks), TimeSpan.Zero);
            for (var at = start; at < to && at + period <= now; at += period)
            {
                if (at >= since)
                {
                    var (desired, inService) = Simulated(s, at);
                    points.Add(new CapacityPoint(at, desired, inService, CapacitySource.CloudWatch));
                }
            }

            return Task.FromResult(new GroupMetricsFetch(points, period, 1));
        }
    }

    // Under the lock: a group's desired and in-service capacity at a past moment, as the simulation would have had them.
    private static (int Desired, int InService) Simulated(State s, DateTimeOffset at)
    {
        var desired = s.Policies.Values.FirstOrDefault(p => p.Kind == PolicyKind.TargetTracking) is { } tracking
            ? TrackedDesired(s.BaseLoad, tracking.TargetValue, s.Min, s.Max, at)
            : s.Desired;
        var inService = s.Ref.Name == FlakyGroup && LaunchFailsAt(at) ? Math.Max(s.Min, desired - 1) : desired;
        return (desired, inService);
    }

    /// <summary>EnableMetricsCollection: the metrics are collected from now on, so the chart has CloudWatch points a period later.</summary>
    public Task<string?> EnableMetricsCollectionAsync(GroupRef group, IReadOnlyList<string> metrics, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            foreach (var metric in metrics.Where(m => !s.EnabledMetrics.Contains(m)))
            {
                s.EnabledMetrics.Add(metric);
            }

            s.MetricsSince ??= clock.GetUtcNow();
        });

    private Task<T> Read<T>(GroupRef group, Func<State, T> read, T missing)
    {
        lock (_gate)
        {
            if (!Groups().TryGetValue(group, out var s))
            {
                return Task.FromResult(missing);
            }

            Reconcile(s, clock.GetUtcNow());
            return Task.FromResult(read(s));
        }
    }

    private Task<string?> Change(GroupRef group, Action<State> change)
    {
        lock (_gate)
        {
            if (!Groups().TryGetValue(group, out var s))
            {
                throw new InvalidOperationException($"ValidationError: AutoScalingGroup name not found - {group.Name}");
            }

            change(s);
            Reconcile(s, clock.GetUtcNow());
            return Task.FromResult<string?>($"sandbox-{Guid.NewGuid():N}");
        }
    }

    // Under the lock.
    private ScalingGroup Reconcile(State s, DateTimeOffset now)
    {
        var bucket = now.UtcTicks / Evaluation.Ticks;
        if (bucket != s.EvaluatedBucket)
        {
            s.EvaluatedBucket = bucket;
            if (!s.Suspended.Contains("AlarmNotification") && s.Policies.Values.FirstOrDefault(p => p.Kind == PolicyKind.TargetTracking) is { } tracking)
            {
                var wanted = TrackedDesired(s.BaseLoad, tracking.TargetValue, s.Min, s.Max, now);
                if (wanted < s.Desired && tracking.DisableScaleIn)
                {
                    wanted = s.Desired;
                }

                s.Desired = wanted;
            }
        }

        foreach (var i in s.Instances.Where(i => i.Lifecycle == LifecycleState.Pending && now - i.Since >= TimeSpan.FromSeconds(_options.PendingSeconds)).ToList())
        {
            i.Lifecycle = LifecycleState.InService;
            i.Since = now;
            Complete(s, i.ActivityId, now);
        }

        s.Instances.RemoveAll(i => i.Lifecycle == LifecycleState.Terminating && now - i.Since >= TimeSpan.FromSeconds(_options.ShuttingDownSeconds) && Complete(s, i.ActivityId, now));
        StepRefresh(s, now);

        var active = s.Instances.Where(i => i.Lifecycle is LifecycleState.Pending or LifecycleState.InService).ToList();
        if (active.Count < s.Desired && !s.Suspended.Contains("Launch"))
        {
            if (s.Ref.Name == FlakyGroup && LaunchFailsAt(now))
            {
                if (!s.Activities.Any(a => a.Status == ActivityStatus.Failed && now - a.StartedAt < TimeSpan.FromMinutes(2)))
                {
                    s.Activities.Add(new ScalingActivity(NextId("act"), "Launching a new EC2 instance.  Status Reason: We currently do not have sufficient m5.large capacity in the Availability Zone you requested.", Cause(s, active.Count), ActivityStatus.Failed, now, now)
                    {
                        StatusMessage = "InsufficientInstanceCapacity: We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a). Launching EC2 instance failed.",
                    });
                }
            }
            else
            {
                for (var n = active.Count; n < s.Desired; n++)
                {
                    var id = NextId("i");
                    var activity = NextId("act");
                    s.Instances.Add(new Member(id, s.Zones[(int)(_sequence % s.Zones.Count)], LifecycleState.Pending, now, activity) { Version = LaunchVersion(s) });
                    s.Activities.Add(new ScalingActivity(activity, $"Launching a new EC2 instance: {id}", Cause(s, n), ActivityStatus.InProgress, now, null));
                }
            }
        }
        else if (active.Count > s.Desired && !s.Suspended.Contains("Terminate"))
        {
            foreach (var i in active.OrderByDescending(i => i.Since).Take(active.Count - s.Desired))
            {
                i.Lifecycle = LifecycleState.Terminating;
                i.Since = now;
                i.ActivityId = NextId("act");
                s.Activities.Add(new ScalingActivity(i.ActivityId, $"Terminating EC2 instance: {i.Id}", $"At {now:u} a user request or policy changed the desired capacity from {active.Count} to {s.Desired}.", ActivityStatus.InProgress, now, null));
            }
        }

        if (s.Activities.Count > 200)
        {
            s.Activities.RemoveRange(0, s.Activities.Count - 200);
        }

        return new ScalingGroup(
            s.Ref, s.Min, s.Desired, s.Max,
            s.Instances.Select(i => new ScalingInstance(i.Id, s.InstanceType, i.Zone, i.Lifecycle, Healthy: true, ProtectedFromScaleIn: false) { LaunchTemplateVersion = i.Version ?? s.TemplateVersion }).ToList(),
            s.Template, s.TemplateVersion, s.Zones, s.TargetGroups, s.Tags, s.CreatedAt)
        {
            SuspendedProcesses = s.Suspended.OrderBy(p => p, StringComparer.Ordinal).ToList(),
            EnabledMetrics = [.. s.EnabledMetrics],
        };
    }

    private static string Cause(State s, int from) => $"An instance was started in response to a difference between desired and actual capacity, increasing the capacity from {from} to {s.Desired}.";

    private static bool Complete(State s, string activityId, DateTimeOffset now)
    {
        var index = s.Activities.FindIndex(a => a.ActivityId == activityId);
        if (index >= 0 && s.Activities[index].Status == ActivityStatus.InProgress)
        {
            s.Activities[index] = s.Activities[index] with { Status = ActivityStatus.Successful, EndedAt = now };
        }

        return true;
    }

    private string NextId(string prefix)
    {
        var n = ++_sequence;
        var hash = unchecked(((ulong)n * 0x9E3779B97F4A7C15UL) ^ (ulong)_options.Seed);
        return prefix == "i" ? $"i-0{hash:x16}" : Guid.NewGuid().ToString();
    }

    // Under the lock: the groups, made on first use with members already in service.
    private Dictionary<GroupRef, State> Groups()
    {
        if (_groups is not null)
        {
            return _groups;
        }

        var now = clock.GetUtcNow();
        var account = SandboxFleet.AccountId;
        var cpu = (double target, bool noScaleIn) => new ScalingPolicy("cpu-target", PolicyKind.TargetTracking) { Metric = TrackedMetric.Cpu, TargetValue = target, DisableScaleIn = noScaleIn, WarmupSeconds = 120, Alarms = ["TargetTracking-cpu-AlarmHigh", "TargetTracking-cpu-AlarmLow"] };
        var groups = new List<State>
        {
            new(new GroupRef(account, "eu-west-1", "prod-web"), 2, 3, 12, 4, "m5.large", "web-template", "7", Tags("prod", "payments", "web"), ["arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/prod-web/6d0ecf831eec9f09"]) { Policy = cpu(50, false) },
            new(new GroupRef(account, "eu-west-1", "prod-api"), 2, 2, 8, 3, "c5.xlarge", "api-template", "12", Tags("prod", "platform", "api"), ["arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/prod-api/943f017f100becff"])
            {
                MetricsCollectedFor = TimeSpan.FromHours(6),
                Policy = new ScalingPolicy("cpu-steps", PolicyKind.Step) { AdjustmentType = AdjustmentType.ChangeInCapacity, Steps = [new(0, 20, 1), new(20, null, 2)], WarmupSeconds = 180, Alarms = ["api-cpu-high"] },
            },
            new(new GroupRef(account, "eu-west-1", "staging-worker"), 0, 1, 4, 1, "t3.medium", "worker-template", "3", Tags("staging", "data", "worker"), [])
            {
                MetricsCollectedFor = null,
                Schedule = new ScheduledAction("nights-off") { Recurrence = "0 20 * * MON-FRI", TimeZone = "Europe/Berlin", MinSize = 0, DesiredCapacity = 0 },
            },
            new(new GroupRef(account, "us-east-1", "prod-web"), 2, 4, 16, 5, "m5.large", "web-template", "7", Tags("prod", "search", "web"), ["arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/prod-web/3c1a9e2f7b0d4e55"]) { Policy = cpu(60, false) },
            new(new GroupRef(account, "us-east-1", FlakyGroup), 0, 2, 6, 1, "m5.large", "batch-template", "2", Tags("dev", "data", "batch"), []) { Policy = cpu(40, true) },
        };
        foreach (var s in groups)
        {
            if (s.Policy is { } p)
            {
                s.Policies[p.Name] = p with { Arn = $"arn:aws:autoscaling:{s.Ref.Region}:{account}:scalingPolicy:{Guid.NewGuid()}:autoScalingGroupName/{s.Ref.Name}:policyName/{p.Name}" };
                if (p.Kind == PolicyKind.TargetTracking)
                {
                    s.Desired = TrackedDesired(s.BaseLoad, p.TargetValue, s.Min, s.Max, now);
                }
            }

            if (s.Schedule is { } a)
            {
                s.Scheduled[a.Name] = a;
            }

            s.EvaluatedBucket = now.UtcTicks / Evaluation.Ticks;
            s.CreatedAt = now.AddDays(-90);
            s.MetricsSince = s.MetricsCollectedFor is { } collected ? now - collected : null;
            if (s.MetricsSince is not null)
            {
                s.EnabledMetrics.AddRange(GroupMetrics.Enabled);
            }

            for (var n = 0; n < s.Desired; n++)
            {
                var id = NextId("i");
                var activity = NextId("act");
                var at = now.AddHours(-n - 1);
                s.Instances.Add(new Member(id, s.Zones[n % s.Zones.Count], LifecycleState.InService, at, activity));
                s.Activities.Add(new ScalingActivity(activity, $"Launching a new EC2 instance: {id}", Cause(s, n), ActivityStatus.Successful, at, at.AddSeconds(45)));
            }
        }

        _groups = groups.ToDictionary(g => g.Ref);
        return _groups;
    }

    private static Dictionary<string, string> Tags(string env, string team, string app) =>
        new(StringComparer.Ordinal) { ["env"] = env, ["team"] = team, ["app"] = app, ["Name"] = $"{env}-{app}" };

    private sealed class State(GroupRef @ref, int min, int desired, int max, int baseLoad, string instanceType, string template, string templateVersion, Dictionary<string, string> tags, List<string> targetGroups)
    {
        public GroupRef Ref { get; } = @ref;
        public int Min { get; set; } = min;
        public int Desired { get; set; } = desired;
        public int Max { get; set; } = max;
        public int BaseLoad { get; } = baseLoad;
        public string InstanceType { get; } = instanceType;
        public string Template { get; } = template;
        public string TemplateVersion { get; set; } = templateVersion;
        public Dictionary<string, string> Tags { get; } = tags;
        public List<string> TargetGroups { get; } = targetGroups;
        public List<string> Zones { get; } = [@ref.Region + "a", @ref.Region + "b", @ref.Region + "c"];
        public List<Member> Instances { get; } = [];
        public List<ScalingActivity> Activities { get; } = [];
        public Dictionary<string, ScalingPolicy> Policies { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, ScheduledAction> Scheduled { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Suspended { get; } = new(StringComparer.Ordinal);
        public ScalingPolicy? Policy { get; init; }
        public ScheduledAction? Schedule { get; init; }
        public long EvaluatedBucket { get; set; }
        public DateTimeOffset CreatedAt { get; set; }

        /// <summary>How long before the Sandbox started metrics collection had been enabled on the group; null: not enabled.</summary>
        public TimeSpan? MetricsCollectedFor { get; init; } = TimeSpan.FromDays(90);

        public DateTimeOffset? MetricsSince { get; set; }

        /// <summary>The group metrics collected, in the order they were enabled (EnabledMetrics).</summary>
        public List<string> EnabledMetrics { get; } = [];
        public List<Refresh> Refreshes { get; } = [];
    }

    private sealed class Member(string id, string zone, LifecycleState lifecycle, DateTimeOffset since, string activityId)
    {
        public string Id { get; } = id;
        public string Zone { get; } = zone;
        public LifecycleState Lifecycle { get; set; } = lifecycle;
        public DateTimeOffset Since { get; set; } = since;
        public string ActivityId { get; set; } = activityId;

        /// <summary>The launch template version it was launched from when not the group's own (a refresh's desired version).</summary>
        public string? Version { get; set; }
    }
}
