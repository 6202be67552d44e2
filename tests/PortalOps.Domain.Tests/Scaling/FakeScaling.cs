using PortalOps.Domain.Scaling;

namespace PortalOps.Domain.Tests.Scaling;

/// <summary>An in-memory <see cref="IScaling"/> that records every change it is asked for.</summary>
internal sealed class FakeScaling : IScaling
{
    private readonly Dictionary<GroupRef, ScalingGroup> _groups = [];

    public List<string> Calls { get; } = [];

    public FakeScaling Add(ScalingGroup group)
    {
        _groups[group.Ref] = group;
        return this;
    }

    public static ScalingGroup Group(string name, string account = Make.ProdAccount, string region = "eu-west-1", int min = 1, int desired = 2, int max = 4, params string[] tags) =>
        new(new GroupRef(account, region, name), min, desired, max,
            Enumerable.Range(0, desired).Select(n => new ScalingInstance($"i-{name}-{n}", "t3.micro", region + "a", LifecycleState.InService, true, false)).ToList(),
            "web-template", "3", [region + "a"], [], Make.Tags(tags.Length == 0 ? ["env=prod"] : tags), Make.Now.AddDays(-10));

    public Task<GroupListing> ListGroupsAsync(CancellationToken cancellationToken = default) => Task.FromResult(new GroupListing(_groups.Values.ToList(), []));

    public Task<ScalingGroup?> FindGroupAsync(GroupRef group, CancellationToken cancellationToken = default) => Task.FromResult(_groups.GetValueOrDefault(group));

    public Task<IReadOnlyList<ScalingActivity>> ActivitiesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ScalingActivity>>(Activities.GetValueOrDefault(group) ?? []);

    public Dictionary<GroupRef, IReadOnlyList<ScalingActivity>> Activities { get; } = [];

    public Task<IReadOnlyList<ScalingPolicy>> PoliciesAsync(GroupRef group, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ScalingPolicy>>([]);

    public Task<IReadOnlyList<ScheduledAction>> ScheduledActionsAsync(GroupRef group, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ScheduledAction>>([]);

    public Task<string?> SetCapacityAsync(GroupRef group, CapacityChange change, CancellationToken cancellationToken = default)
    {
        _groups[group] = _groups[group] with { MinSize = change.MinSize, DesiredCapacity = change.DesiredCapacity, MaxSize = change.MaxSize };
        return Record($"capacity {group.Name} {change}");
    }

    public Task<string?> PutPolicyAsync(GroupRef group, ScalingPolicy policy, CancellationToken cancellationToken = default) => Record($"put-policy {group.Name} {policy.Describe()}");

    public Task<string?> DeletePolicyAsync(GroupRef group, string policyName, CancellationToken cancellationToken = default) => Record($"delete-policy {group.Name} {policyName}");

    public Task<string?> PutScheduledActionAsync(GroupRef group, ScheduledAction action, CancellationToken cancellationToken = default) => Record($"put-scheduled {group.Name} {action.Describe()}");

    public Task<string?> DeleteScheduledActionAsync(GroupRef group, string actionName, CancellationToken cancellationToken = default) => Record($"delete-scheduled {group.Name} {actionName}");

    public Task<string?> SuspendProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) => Record($"suspend {group.Name} {string.Join(",", processes)}");

    public Task<string?> ResumeProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) => Record($"resume {group.Name} {string.Join(",", processes)}");

    /// <summary>Refreshes per group, newest first, as the port reports them.</summary>
    public Dictionary<GroupRef, List<InstanceRefresh>> Refreshes { get; } = [];

    public Task<IReadOnlyList<InstanceRefresh>> InstanceRefreshesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<InstanceRefresh>>(Refreshes.GetValueOrDefault(group)?.Take(max).ToList() ?? []);

    public Task<string?> StartInstanceRefreshAsync(GroupRef group, InstanceRefreshRequest request, CancellationToken cancellationToken = default)
    {
        Refreshes.TryAdd(group, []);
        Refreshes[group].Insert(0, new InstanceRefresh($"ir-{Calls.Count}", InstanceRefreshStatus.Pending, Make.Now, null, 0, _groups[group].DesiredCapacity));
        return Record($"start-refresh {group.Name} {request}");
    }

    public Task<string?> CancelInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default)
    {
        var list = Refreshes[group];
        list[0] = list[0] with { Status = InstanceRefreshStatus.Cancelling };
        return Record($"cancel-refresh {group.Name}");
    }

    public Task<string?> RollbackInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default)
    {
        var list = Refreshes[group];
        list[0] = list[0] with { Status = InstanceRefreshStatus.RollbackInProgress };
        return Record($"rollback-refresh {group.Name}");
    }

    public Task<string?> EnableMetricsCollectionAsync(GroupRef group, IReadOnlyList<string> metrics, CancellationToken cancellationToken = default)
    {
        _groups[group] = _groups[group] with { EnabledMetrics = metrics };
        return Record($"enable-metrics {group.Name} {string.Join(",", metrics)}");
    }

    private Task<string?> Record(string call)
    {
        Calls.Add(call);
        return Task.FromResult<string?>($"req-{Calls.Count}");
    }
}

/// <summary>An in-memory capacity history keyed by group and moment.</summary>
internal sealed class InMemoryCapacityHistory : ICapacityHistory
{
    public Dictionary<(GroupRef, DateTimeOffset), CapacitySample> Samples { get; } = [];

    public Task<int> RecordAsync(IReadOnlyList<CapacitySample> samples, CancellationToken cancellationToken = default) =>
        Task.FromResult(samples.Count(s => Samples.TryAdd((s.Group, s.At), s)));

    public Task<IReadOnlyList<CapacitySample>> ReadAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CapacitySample>>(Samples.Values.Where(s => s.Group == group && s.At >= from && s.At <= to).OrderBy(s => s.At).ToList());

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        Task.FromResult(Samples.Keys.Where(k => k.Item2 < before).ToList().Count(k => Samples.Remove(k)));
}
