using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// Carries out the scaling kinds through <see cref="IScaling"/>: looks groups up (so the pipeline authorizes on the group's own
/// account, region and tags), checks the parameters again (a bad value is refused before anything is sent) and returns AWS's
/// request id for the audit.
/// </summary>
public sealed class ScalingExecutor(IScaling scaling) : IActionExecutor
{
    public const string PolicyParameter = "policy";
    public const string NameParameter = "name";
    public const string ScheduledParameter = "scheduled";
    public const string ProcessesParameter = "processes";

    private static readonly HashSet<ActionKind> Kinds =
    [
        ActionKind.SetGroupCapacity, ActionKind.PutScalingPolicy, ActionKind.DeleteScalingPolicy, ActionKind.PutScheduledAction,
        ActionKind.DeleteScheduledAction, ActionKind.SuspendProcesses, ActionKind.ResumeProcesses,
        ActionKind.StartInstanceRefresh, ActionKind.CancelInstanceRefresh,
        ActionKind.EnableMetricsCollection, ActionKind.RollbackInstanceRefresh,
    ];

    public bool CanExecute(ActionKind kind) => Kinds.Contains(kind);

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken) =>
        await scaling.FindGroupAsync(GroupRef.FromTarget(target), cancellationToken) is { } group
            ? new ResolvedTarget(group.Ref.AsTarget, group.Name, group.Tags)
            : null;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (Problem(kind, parameters) is { } problem)
        {
            return new ActionExecution(false, problem, null);
        }

        if (kind == ActionKind.StartInstanceRefresh || kind == ActionKind.CancelInstanceRefresh || kind == ActionKind.RollbackInstanceRefresh)
        {
            // Checked again when it runs: an approval may come after another refresh started, or after this one ended.
            foreach (var target in targets)
            {
                var group = GroupRef.FromTarget(target.Ref);
                var running = await RunningRefreshAsync(scaling, group, cancellationToken);
                if (kind == ActionKind.StartInstanceRefresh && running is not null)
                {
                    return new ActionExecution(false, RefreshRunningMessage(group, running), null);
                }

                if (kind == ActionKind.CancelInstanceRefresh && running is null)
                {
                    return new ActionExecution(false, NoRefreshMessage(group), null);
                }

                if (kind == ActionKind.RollbackInstanceRefresh && RollbackProblem(group, running) is { } cannot)
                {
                    return new ActionExecution(false, cannot, null);
                }
            }
        }

        var ids = new List<string>();
        var done = new List<string>();
        foreach (var target in targets)
        {
            var group = GroupRef.FromTarget(target.Ref);
            var (requestId, what) = await ApplyAsync(kind, group, parameters, cancellationToken);
            done.Add(what);
            if (requestId is not null)
            {
                ids.Add(requestId);
            }
        }

        return new ActionExecution(true, string.Join(" ", done), ids.Count == 0 ? null : string.Join(",", ids));
    }

    /// <summary>What is wrong with the parameters of a scaling kind (null when they may be sent).</summary>
    public static string? Problem(ActionKind kind, IReadOnlyDictionary<string, string> parameters)
    {
        if (kind == ActionKind.SetGroupCapacity)
        {
            var change = CapacityChange.FromParameters(parameters);
            return change is null ? "Give min, desired and max as whole numbers." : change.Check() is { Count: > 0 } p ? string.Join(" ", p.Values) : null;
        }

        if (kind == ActionKind.PutScalingPolicy)
        {
            var policy = ScalingPolicy.FromJson(parameters.GetValueOrDefault(PolicyParameter));
            return policy is null ? "The policy could not be read." : policy.Check() is { Count: > 0 } p ? string.Join(" ", p.Values) : null;
        }

        if (kind == ActionKind.PutScheduledAction)
        {
            var action = ScheduledAction.FromJson(parameters.GetValueOrDefault(ScheduledParameter));
            // The start time was checked against the clock when it was asked for; an approval may come later.
            return action is null ? "The scheduled action could not be read." : action.Check(DateTimeOffset.MinValue) is { Count: > 0 } p ? string.Join(" ", p.Values) : null;
        }

        if (kind == ActionKind.DeleteScalingPolicy || kind == ActionKind.DeleteScheduledAction)
        {
            return string.IsNullOrWhiteSpace(parameters.GetValueOrDefault(NameParameter)) ? "Name what to delete." : null;
        }

        if (kind == ActionKind.StartInstanceRefresh)
        {
            var request = InstanceRefreshRequest.FromParameters(parameters);
            return request is null ? "Give the minimum healthy percentage and warm-up as whole numbers." : request.Check() is { Count: > 0 } p ? string.Join(" ", p.Values) : null;
        }

        if (kind == ActionKind.CancelInstanceRefresh || kind == ActionKind.RollbackInstanceRefresh || kind == ActionKind.EnableMetricsCollection)
        {
            return null;
        }

        if (kind == ActionKind.SuspendProcesses || kind == ActionKind.ResumeProcesses)
        {
            var processes = ProcessesOf(parameters);
            return processes.Count == 0 ? "Choose at least one process."
                : processes.FirstOrDefault(p => !ScalingProcesses.All.Contains(p)) is { } unknown ? $"'{unknown}' is not an Auto Scaling process."
                : null;
        }

        return $"{kind.Name} is not a scaling action.";
    }

    /// <summary>The group's running instance refresh, or null when none runs.</summary>
    public static async Task<InstanceRefresh?> RunningRefreshAsync(IScaling scaling, GroupRef group, CancellationToken cancellationToken) =>
        (await scaling.InstanceRefreshesAsync(group, 5, cancellationToken)).FirstOrDefault(r => r.IsRunning);

    public static string RefreshRunningMessage(GroupRef group, InstanceRefresh running) =>
        $"An instance refresh is already running on {group.Name} ({running.Status}, {running.PercentageComplete}% complete); wait for it to end or cancel it first.";

    public static string NoRefreshMessage(GroupRef group) => $"No instance refresh is running on {group.Name}.";

    /// <summary>Why the group's refresh cannot be rolled back now (null when it can): none runs, it is already ending, or it named no version.</summary>
    public static string? RollbackProblem(GroupRef group, InstanceRefresh? running) => running switch
    {
        null => NoRefreshMessage(group),
        { Status: InstanceRefreshStatus.RollbackInProgress } => $"The instance refresh on {group.Name} is already rolling back.",
        { Status: InstanceRefreshStatus.Cancelling } => $"The instance refresh on {group.Name} is being cancelled; there is nothing left to roll back.",
        { DesiredLaunchTemplateVersion: null } => $"The instance refresh on {group.Name} named no launch template version, so AWS has no previous configuration to roll back to; cancel it instead.",
        _ => null,
    };

    public static IReadOnlyList<string> ProcessesOf(IReadOnlyDictionary<string, string> parameters) =>
        (parameters.GetValueOrDefault(ProcessesParameter) ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    private async Task<(string? RequestId, string What)> ApplyAsync(ActionKind kind, GroupRef group, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        if (kind == ActionKind.SetGroupCapacity)
        {
            var change = CapacityChange.FromParameters(parameters)!;
            return (await scaling.SetCapacityAsync(group, change, cancellationToken), $"{group.Name}: {change}.");
        }

        if (kind == ActionKind.PutScalingPolicy)
        {
            var policy = ScalingPolicy.FromJson(parameters[PolicyParameter])!;
            return (await scaling.PutPolicyAsync(group, policy, cancellationToken), $"{group.Name}: policy {policy.Describe()} saved.");
        }

        if (kind == ActionKind.DeleteScalingPolicy)
        {
            var name = parameters[NameParameter];
            return (await scaling.DeletePolicyAsync(group, name, cancellationToken), $"{group.Name}: policy {name} deleted.");
        }

        if (kind == ActionKind.PutScheduledAction)
        {
            var action = ScheduledAction.FromJson(parameters[ScheduledParameter])!;
            return (await scaling.PutScheduledActionAsync(group, action, cancellationToken), $"{group.Name}: scheduled action {action.Describe()} saved.");
        }

        if (kind == ActionKind.DeleteScheduledAction)
        {
            var name = parameters[NameParameter];
            return (await scaling.DeleteScheduledActionAsync(group, name, cancellationToken), $"{group.Name}: scheduled action {name} deleted.");
        }

        if (kind == ActionKind.StartInstanceRefresh)
        {
            var request = InstanceRefreshRequest.FromParameters(parameters)!;
            return (await scaling.StartInstanceRefreshAsync(group, request, cancellationToken), $"{group.Name}: instance refresh started ({request}).");
        }

        if (kind == ActionKind.CancelInstanceRefresh)
        {
            return (await scaling.CancelInstanceRefreshAsync(group, cancellationToken), $"{group.Name}: instance refresh cancelled.");
        }

        if (kind == ActionKind.RollbackInstanceRefresh)
        {
            return (await scaling.RollbackInstanceRefreshAsync(group, cancellationToken), $"{group.Name}: instance refresh rolling back to the previous configuration.");
        }

        if (kind == ActionKind.EnableMetricsCollection)
        {
            return (await scaling.EnableMetricsCollectionAsync(group, GroupMetrics.Enabled, cancellationToken), $"{group.Name}: group metrics collection enabled ({GroupMetrics.Granularity}); CloudWatch charts them within a few minutes.");
        }

        var processes = ProcessesOf(parameters);
        return kind == ActionKind.SuspendProcesses
            ? (await scaling.SuspendProcessesAsync(group, processes, cancellationToken), $"{group.Name}: suspended {string.Join(", ", processes)}.")
            : (await scaling.ResumeProcessesAsync(group, processes, cancellationToken), $"{group.Name}: resumed {string.Join(", ", processes)}.");
    }
}
