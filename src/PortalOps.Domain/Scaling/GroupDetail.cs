namespace PortalOps.Domain.Scaling;

/// <summary>Everything the group page shows: the group, its recent activities, policies, scheduled actions and capacity history.</summary>
public sealed record GroupDetail(
    ScalingGroup Group,
    IReadOnlyList<ScalingActivity> Activities,
    IReadOnlyList<ScalingPolicy> Policies,
    IReadOnlyList<ScheduledAction> ScheduledActions,
    IReadOnlyList<CapacitySample> History)
{
    /// <summary>The group's recent instance refreshes, newest first.</summary>
    public IReadOnlyList<InstanceRefresh> Refreshes { get; init; } = [];

    /// <summary>The capacity chart: CloudWatch's group metrics where they cover the time, the stored history elsewhere.</summary>
    public CapacityChart Capacity
    {
        get => field ??= CapacityChart.Merge(History, null);
        init;
    }

    /// <summary>The refresh running now, if any.</summary>
    public InstanceRefresh? RunningRefresh => Refreshes.FirstOrDefault(r => r.IsRunning);
}

/// <summary>The outcome of asking for a change: problems per field (nothing was sent), or what the pipeline did.</summary>
public sealed record ScalingChangeResult(IReadOnlyDictionary<string, string> Problems, Actions.ActionResult? Result)
{
    public bool Accepted => Problems.Count == 0 && Result is { IsSuccess: true };

    public static ScalingChangeResult Invalid(IReadOnlyDictionary<string, string> problems) => new(problems, null);

    public static ScalingChangeResult Invalid(string field, string problem) => new(new Dictionary<string, string> { [field] = problem }, null);

    public string Message => Result?.Message ?? string.Join(" ", Problems.Values);
}
