using System.Globalization;
using System.Text.RegularExpressions;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>The actions an alert rule may name, their parameters, and the identities they run as.</summary>
public static partial class CorrectiveActions
{
    public const string CountParameter = "count";
    public const string GroupParameter = "group";
    public const string DocumentParameter = "document";
    public const string CommandsParameter = "commands";
    public const int MaxScaleOut = 10;

    /// <summary>Terminate is deliberately absent: no alert may destroy an instance.</summary>
    public static IReadOnlyList<ActionKind> Kinds { get; } =
        [ActionKind.RebootInstances, ActionKind.StopInstances, ActionKind.RecoverInstances, ActionKind.ScaleOutGroup, ActionKind.RunDocument];

    public static string? ParameterProblem(ActionKind kind, IReadOnlyDictionary<string, string> parameters)
    {
        if (kind == ActionKind.ScaleOutGroup)
        {
            if (!int.TryParse(parameters.GetValueOrDefault(CountParameter), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > MaxScaleOut)
            {
                return $"Scale out by 1 to {MaxScaleOut} instances.";
            }

            return parameters.GetValueOrDefault(GroupParameter) is { Length: > 0 } g && !GroupName().IsMatch(g) ? $"'{g}' is not an Auto Scaling group name." : null;
        }

        if (kind == ActionKind.RunDocument)
        {
            var document = parameters.GetValueOrDefault(DocumentParameter);
            return document is null || !DocumentName().IsMatch(document) ? "Name the Systems Manager document to run (letters, digits, '-', '_' and '.')." : null;
        }

        return null;
    }

    /// <summary>
    /// The identity of a rule's automatic actions: the owner, with the owner's current role and scopes (read fresh from the user
    /// store), acting through the job channel. Null when the owner is gone, disabled, or no longer an Approver.
    /// </summary>
    public static Actor? AutomaticActor(AlertRule rule, PortalUser? owner) =>
        owner is { IsDisabled: false, Role: >= Role.Approver }
            ? new Actor(owner.Id, $"{owner.UserName} (rule '{rule.Name}')", owner.Role, owner.Scopes, Channel.Job)
            : null;

    /// <summary>
    /// The identity that offers a rule's actions for approval: the rule's owner, with the owner's current rights. The owner is the
    /// requester, so a second person decides — the owner never approves what their own rule asks for — and the request is
    /// authorized again against the owner's rights when it runs.
    /// </summary>
    public static Actor? OfferingActor(AlertRule rule, PortalUser? owner) =>
        owner is { IsDisabled: false, Role: >= Role.Approver }
            ? new Actor(owner.Id, $"{owner.UserName} (rule '{rule.Name}')", owner.Role, owner.Scopes, Channel.Job)
            : null;

    [GeneratedRegex("^[A-Za-z0-9_.\\-]{3,128}$")]
    private static partial Regex DocumentName();

    [GeneratedRegex("^[\\w\\-. ]{1,255}$")]
    private static partial Regex GroupName();
}

/// <summary>Auto Scaling groups' desired capacity. The same idempotency key never scales twice.</summary>
public interface IAutoScalingCapacity
{
    /// <summary>Raises the group's desired capacity by <paramref name="by"/>, capped at its maximum; returns the new desired capacity.</summary>
    Task<(int Desired, string? RequestId)> ScaleOutAsync(CloudScope scope, string group, int by, string idempotencyKey, CancellationToken cancellationToken = default);
}

/// <summary>Recover: stop, wait until stopped, start — EC2 starts a stopped EBS-backed instance on healthy hardware.</summary>
public sealed class RecoverInstancesExecutor(ICompute compute, IInventory inventory, TimeProvider clock) : IActionExecutor
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public bool CanExecute(ActionKind kind) => kind == ActionKind.RecoverInstances;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var refs = targets.Select(t => t.Ref).ToList();
        var stop = await compute.ApplyAsync(InstanceAction.Stop, refs, idempotencyKey + ":stop", cancellationToken);
        var stopping = stop.Targets.Where(t => t.Succeeded).Select(t => t.Target).ToList();
        var failed = stop.Targets.Where(t => !t.Succeeded).Select(t => $"{t.Target.InstanceId}: {t.Error}").ToList();

        var deadline = clock.GetUtcNow() + StopTimeout;
        var waiting = stopping.ToHashSet();
        while (waiting.Count > 0 && clock.GetUtcNow() < deadline)
        {
            foreach (var target in waiting.ToList())
            {
                var now = await inventory.FindAsync(target, cancellationToken);
                if (now is null || now.State == InstanceState.Stopped)
                {
                    waiting.Remove(target);
                }
            }

            if (waiting.Count > 0)
            {
                await Task.Delay(PollInterval, clock, cancellationToken);
            }
        }

        failed.AddRange(waiting.Select(w => $"{w.InstanceId}: did not stop within {StopTimeout.TotalMinutes:0} min"));
        var ready = stopping.Where(s => !waiting.Contains(s)).ToList();
        var requestIds = new List<string?> { stop.RequestId };
        if (ready.Count > 0)
        {
            var start = await compute.ApplyAsync(InstanceAction.Start, ready, idempotencyKey + ":start", cancellationToken);
            failed.AddRange(start.Targets.Where(t => !t.Succeeded).Select(t => $"{t.Target.InstanceId}: {t.Error}"));
            requestIds.Add(start.RequestId);
        }

        var requestId = string.Join(",", requestIds.Where(r => r is not null));
        return failed.Count == 0
            ? new ActionExecution(true, $"Recovered {ready.Count} instance(s): stopped and started again.", requestId)
            : new ActionExecution(false, $"Recover failed for {failed.Count} of {targets.Count}: {string.Join("; ", failed.Take(5))}", requestId);
    }
}

/// <summary>Scale out the Auto Scaling group of the targets (or the group a rule names) by a count.</summary>
public sealed class ScaleOutExecutor(IAutoScalingCapacity capacity) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.ScaleOutGroup;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (CorrectiveActions.ParameterProblem(kind, parameters) is { } problem)
        {
            return new ActionExecution(false, problem, null);
        }

        var by = int.Parse(parameters[CorrectiveActions.CountParameter], CultureInfo.InvariantCulture);
        var named = parameters.GetValueOrDefault(CorrectiveActions.GroupParameter);
        var groups = targets
            .Select(t => (Scope: new CloudScope(t.Ref.AccountId, t.Ref.Region), Group: string.IsNullOrEmpty(named) ? t.Tags.GetValueOrDefault(RuleScope.AsgTag) : named, t.Ref.InstanceId))
            .ToList();
        var orphans = groups.Where(g => string.IsNullOrEmpty(g.Group)).Select(g => g.InstanceId).ToList();
        if (orphans.Count > 0)
        {
            return new ActionExecution(false, $"Not in an Auto Scaling group: {string.Join(", ", orphans.Take(5))}.", null);
        }

        var done = new List<string>();
        var ids = new List<string>();
        foreach (var group in groups.Select(g => (g.Scope, g.Group!)).Distinct())
        {
            var (desired, requestId) = await capacity.ScaleOutAsync(group.Scope, group.Item2, by, $"{idempotencyKey}:{group.Scope}:{group.Item2}", cancellationToken);
            done.Add($"{group.Item2} → {desired}");
            if (requestId is not null)
            {
                ids.Add(requestId);
            }
        }

        return new ActionExecution(true, $"Scaled out by {by}: {string.Join(", ", done)}.", ids.Count == 0 ? null : string.Join(",", ids));
    }
}

/// <summary>Runs a Systems Manager document on the targets, one command per account and region.</summary>
public sealed class RunDocumentExecutor(IRemoteCommands commands) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.RunDocument;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (CorrectiveActions.ParameterProblem(kind, parameters) is { } problem)
        {
            return new ActionExecution(false, problem, null);
        }

        var document = parameters[CorrectiveActions.DocumentParameter];
        var documentParameters = new Dictionary<string, IReadOnlyList<string>>();
        if (parameters.GetValueOrDefault(CorrectiveActions.CommandsParameter) is { Length: > 0 } lines)
        {
            documentParameters["commands"] = lines.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }

        var sent = new List<string>();
        var ids = new List<string>();
        foreach (var group in targets.GroupBy(t => new CloudScope(t.Ref.AccountId, t.Ref.Region)))
        {
            var (commandId, requestId) = await commands.SendAsync(group.Key, group.Select(t => t.Ref.InstanceId).ToList(), document, documentParameters, $"PortalOps {idempotencyKey}", cancellationToken);
            sent.Add(commandId);
            if (requestId is not null)
            {
                ids.Add(requestId);
            }
        }

        return new ActionExecution(true, $"{document} sent to {targets.Count} instance(s): command {string.Join(", ", sent)}.", ids.Count == 0 ? null : string.Join(",", ids));
    }
}
