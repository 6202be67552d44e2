using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// The scaling use cases pages and the bot call: reads filtered to the person's scope by the <see cref="Authorizer"/>, and changes
/// checked field by field (nothing bad is sent) and then submitted through the one <see cref="ActionPipeline"/>, with the
/// <see cref="ScalingApprovalGuard"/> asking for approval where the values chosen call for it. The group page's chart joins the
/// stored history with CloudWatch's group metrics where <see cref="IGroupCapacityMetrics"/> is there to read them.
/// </summary>
public sealed class ScalingOperations(IScaling scaling, ICapacityHistory history, ActionPipeline pipeline, ScalingApprovalGuard guard, TimeProvider clock, IGroupCapacityMetrics? metrics = null)
{
    public const string GroupField = "Group";

    /// <summary>How far back the group page's chart reaches.</summary>
    public static readonly TimeSpan HistoryWindow = TimeSpan.FromHours(24);

    public async Task<(Page<ScalingGroup> Page, IReadOnlyList<string> Problems)> ListAsync(Actor actor, ScalingGroupQuery query, CancellationToken cancellationToken = default)
    {
        var listing = await scaling.ListGroupsAsync(cancellationToken);
        return (query.Apply(listing.Groups, Authorizer.ReadScopeOf(actor)), listing.Problems);
    }

    /// <summary>Every group matching the query that the person may see (the CSV export), sorted as the page sorts.</summary>
    public async Task<IReadOnlyList<ScalingGroup>> ExportAsync(Actor actor, ScalingGroupQuery query, CancellationToken cancellationToken = default)
    {
        var listing = await scaling.ListGroupsAsync(cancellationToken);
        return query.Sorted(listing.Groups, Authorizer.ReadScopeOf(actor));
    }

    /// <summary>The group as the person may see it; null when it does not exist or lies outside their scope (the same answer).</summary>
    public async Task<ScalingGroup?> FindAsync(Actor actor, GroupRef group, CancellationToken cancellationToken = default)
    {
        if (!Authorizer.MaySeeAnythingIn(actor, group.AccountId, group.Region))
        {
            return null;
        }

        var found = await scaling.FindGroupAsync(group, cancellationToken);
        return found is not null && Authorizer.MaySee(actor, found.Footprint) ? found : null;
    }

    public async Task<GroupDetail?> DetailAsync(Actor actor, GroupRef group, CancellationToken cancellationToken = default)
    {
        var found = await FindAsync(actor, group, cancellationToken);
        if (found is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var activities = scaling.ActivitiesAsync(group, 50, cancellationToken);
        var policies = scaling.PoliciesAsync(group, cancellationToken);
        var scheduled = scaling.ScheduledActionsAsync(group, cancellationToken);
        var samples = history.ReadAsync(group, now - HistoryWindow, now, cancellationToken);
        var refreshes = scaling.InstanceRefreshesAsync(group, 5, cancellationToken);
        var cloudWatch = CapacityMetricsAsync(group, now, cancellationToken);
        await Task.WhenAll(activities, policies, scheduled, samples, refreshes, cloudWatch);
        return new GroupDetail(found, await activities, await policies, await scheduled, await samples)
        {
            Refreshes = await refreshes,
            Capacity = CapacityChart.Merge(await samples, await cloudWatch),
        };
    }

    /// <summary>CloudWatch's group metrics over the chart's window (periods aligned to the clock); null when nothing reads them.</summary>
    private async Task<GroupMetricsFetch?> CapacityMetricsAsync(GroupRef group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (metrics is null)
        {
            return null;
        }

        var period = CapacityChart.PeriodFor(HistoryWindow);
        var from = now - HistoryWindow;
        from = new DateTimeOffset(from.UtcTicks - (from.UtcTicks % period.Ticks), TimeSpan.Zero);
        return await metrics.CapacityAsync(group, from, now, period, cancellationToken);
    }

    public async Task<ScalingChangeResult> SetCapacityAsync(Actor actor, GroupRef group, CapacityChange change, string? reason = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        if (change.Check() is { Count: > 0 } problems)
        {
            return ScalingChangeResult.Invalid(problems);
        }

        var current = await FindAsync(actor, group, cancellationToken);
        if (current is null)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Auto Scaling group {group.Name} was not found in {group.AccountId}/{group.Region}.");
        }

        var request = new ActionRequest(ActionKind.SetGroupCapacity, [group.AsTarget], reason)
        {
            Parameters = change.ToParameters(),
            RequireApproval = guard.RuleFor(current, change),
            IdempotencyKey = idempotencyKey,
        };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    /// <summary>Desired moved by <paramref name="delta"/> within the group's bounds as they are now (the bot's ±1 buttons).</summary>
    public async Task<ScalingChangeResult> AdjustDesiredAsync(Actor actor, GroupRef group, int delta, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var current = await FindAsync(actor, group, cancellationToken);
        if (current is null)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Auto Scaling group {group.Name} was not found in {group.AccountId}/{group.Region}.");
        }

        var change = CapacityChange.Of(current).WithDesired(current.DesiredCapacity + delta);
        return await SetCapacityAsync(actor, group, change, $"desired {delta:+0;-0}", idempotencyKey, cancellationToken);
    }

    public async Task<ScalingChangeResult> SavePolicyAsync(Actor actor, GroupRef group, ScalingPolicy policy, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (policy.Check() is { Count: > 0 } problems)
        {
            return ScalingChangeResult.Invalid(problems);
        }

        var request = new ActionRequest(ActionKind.PutScalingPolicy, [group.AsTarget], reason)
        {
            Parameters = new Dictionary<string, string> { [ScalingExecutor.PolicyParameter] = policy with { Arn = null, Alarms = [] } is var clean ? clean.ToJson() : string.Empty },
        };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    public Task<ScalingChangeResult> DeletePolicyAsync(Actor actor, GroupRef group, string name, CancellationToken cancellationToken = default) =>
        SubmitNamedAsync(actor, ActionKind.DeleteScalingPolicy, group, ScalingExecutor.NameParameter, name, null, cancellationToken);

    public async Task<ScalingChangeResult> SaveScheduledActionAsync(Actor actor, GroupRef group, ScheduledAction action, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (action.Check(clock.GetUtcNow()) is { Count: > 0 } problems)
        {
            return ScalingChangeResult.Invalid(problems);
        }

        var cleaned = action with { Arn = null, TimeZone = string.IsNullOrWhiteSpace(action.TimeZone) ? null : action.TimeZone.Trim(), Recurrence = string.IsNullOrWhiteSpace(action.Recurrence) ? null : action.Recurrence.Trim() };
        var request = new ActionRequest(ActionKind.PutScheduledAction, [group.AsTarget], reason)
        {
            Parameters = new Dictionary<string, string> { [ScalingExecutor.ScheduledParameter] = cleaned.ToJson() },
            RequireApproval = guard.RuleFor(cleaned),
        };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    public Task<ScalingChangeResult> DeleteScheduledActionAsync(Actor actor, GroupRef group, string name, CancellationToken cancellationToken = default) =>
        SubmitNamedAsync(actor, ActionKind.DeleteScheduledAction, group, ScalingExecutor.NameParameter, name, null, cancellationToken);

    public Task<ScalingChangeResult> SuspendAsync(Actor actor, GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) =>
        SubmitNamedAsync(actor, ActionKind.SuspendProcesses, group, ScalingExecutor.ProcessesParameter, string.Join(",", processes), ScalingApprovalGuard.RuleForSuspend(processes), cancellationToken);

    public Task<ScalingChangeResult> ResumeAsync(Actor actor, GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) =>
        SubmitNamedAsync(actor, ActionKind.ResumeProcesses, group, ScalingExecutor.ProcessesParameter, string.Join(",", processes), null, cancellationToken);

    /// <summary>The group's recent instance refreshes, newest first; none when the group lies outside the person's scope.</summary>
    public async Task<IReadOnlyList<InstanceRefresh>> RefreshesAsync(Actor actor, GroupRef group, CancellationToken cancellationToken = default) =>
        await FindAsync(actor, group, cancellationToken) is null ? [] : await scaling.InstanceRefreshesAsync(group, 5, cancellationToken);

    /// <summary>
    /// Starts an instance refresh through the pipeline: bad preferences get a message at their field, and a group that already has
    /// a refresh running is refused with a message (nothing is sent); starting one waits for approval unless switched off.
    /// </summary>
    public async Task<ScalingChangeResult> StartInstanceRefreshAsync(Actor actor, GroupRef group, InstanceRefreshRequest refresh, string? reason = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        if (refresh.Check() is { Count: > 0 } problems)
        {
            return ScalingChangeResult.Invalid(problems);
        }

        if (await FindAsync(actor, group, cancellationToken) is null)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Auto Scaling group {group.Name} was not found in {group.AccountId}/{group.Region}.");
        }

        if (await ScalingExecutor.RunningRefreshAsync(scaling, group, cancellationToken) is { } running)
        {
            return ScalingChangeResult.Invalid(GroupField, ScalingExecutor.RefreshRunningMessage(group, running));
        }

        var request = new ActionRequest(ActionKind.StartInstanceRefresh, [group.AsTarget], reason)
        {
            Parameters = refresh.ToParameters(),
            RequireApproval = guard.RuleForRefresh(),
            IdempotencyKey = idempotencyKey,
        };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    /// <summary>Cancels the group's running instance refresh through the pipeline; refused with a message when none runs.</summary>
    public async Task<ScalingChangeResult> CancelInstanceRefreshAsync(Actor actor, GroupRef group, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(actor, group, cancellationToken) is null)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Auto Scaling group {group.Name} was not found in {group.AccountId}/{group.Region}.");
        }

        if (await ScalingExecutor.RunningRefreshAsync(scaling, group, cancellationToken) is null)
        {
            return ScalingChangeResult.Invalid(GroupField, ScalingExecutor.NoRefreshMessage(group));
        }

        var request = new ActionRequest(ActionKind.CancelInstanceRefresh, [group.AsTarget]) { IdempotencyKey = idempotencyKey };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    /// <summary>
    /// Rolls the group's running instance refresh back through the pipeline (no approval rule: it undoes a change already under
    /// way); refused with a message when none runs or the refresh named no launch template version to roll back from.
    /// </summary>
    public async Task<ScalingChangeResult> RollbackInstanceRefreshAsync(Actor actor, GroupRef group, string? reason = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(actor, group, cancellationToken) is null)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Auto Scaling group {group.Name} was not found in {group.AccountId}/{group.Region}.");
        }

        if (ScalingExecutor.RollbackProblem(group, await ScalingExecutor.RunningRefreshAsync(scaling, group, cancellationToken)) is { } problem)
        {
            return ScalingChangeResult.Invalid(GroupField, problem);
        }

        var request = new ActionRequest(ActionKind.RollbackInstanceRefresh, [group.AsTarget], reason) { IdempotencyKey = idempotencyKey };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    /// <summary>
    /// Turns on CloudWatch group metrics collection (<see cref="GroupMetrics.Enabled"/> at 1Minute) through the pipeline, so the
    /// capacity chart can read GroupDesiredCapacity and GroupInServiceInstances; refused with a message when it is on already.
    /// </summary>
    public async Task<ScalingChangeResult> EnableMetricsCollectionAsync(Actor actor, GroupRef group, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var current = await FindAsync(actor, group, cancellationToken);
        if (current is null)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Auto Scaling group {group.Name} was not found in {group.AccountId}/{group.Region}.");
        }

        if (current.CollectsCapacityMetrics)
        {
            return ScalingChangeResult.Invalid(GroupField, $"Group metrics collection is already enabled on {group.Name}.");
        }

        var request = new ActionRequest(ActionKind.EnableMetricsCollection, [group.AsTarget]) { IdempotencyKey = idempotencyKey };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }

    private async Task<ScalingChangeResult> SubmitNamedAsync(Actor actor, ActionKind kind, GroupRef group, string parameter, string value, string? requireApproval, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string> { [parameter] = value };
        if (ScalingExecutor.Problem(kind, parameters) is { } problem)
        {
            return ScalingChangeResult.Invalid(parameter, problem);
        }

        var request = new ActionRequest(kind, [group.AsTarget]) { Parameters = parameters, RequireApproval = requireApproval };
        return new ScalingChangeResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }
}
