using System.Text.Json;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Actions;

public enum ActionStatus
{
    Executed,
    Failed,
    PendingApproval,

    /// <summary>An approval request was approved or denied as asked.</summary>
    Decided,
    Refused,
    NotFound,
    Conflict,
}

/// <summary>What the pipeline did with a request, in words fit for the person who asked.</summary>
public sealed record ActionResult(ActionStatus Status, string Message, Guid? ApprovalId = null)
{
    public bool IsSuccess => Status is ActionStatus.Executed or ActionStatus.PendingApproval or ActionStatus.Decided;

    /// <summary>Instances the action made (a launch).</summary>
    public IReadOnlyList<InstanceRef> Created { get; init; } = [];
}

/// <summary>Whether a request would be allowed, and the approval rule it would wait for (null: it would run at once).</summary>
public sealed record ActionPreview(bool Allowed, string? Reason, string? ApprovalRule);

/// <summary>Where the approval rules come from (the defaults, or what an Admin saved).</summary>
public interface IApprovalPolicyProvider
{
    Task<ApprovalPolicy> GetAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The one path every action takes, whether it comes from a page, a chat or a job:
/// authorize (deny by default) → approval policy → execute through a port with an idempotency key → audit.
/// </summary>
public sealed class ActionPipeline(
    IInventory inventory,
    IEnumerable<IActionExecutor> executors,
    IApprovalPolicyProvider policies,
    IApprovalStore approvals,
    IActionScheduler scheduler,
    IAuditLog audit,
    INotifier notifier,
    IUserStore users,
    TimeProvider clock)
{
    public const int MaxTargets = 1000;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public async Task<ActionResult> SubmitAsync(Actor actor, ActionRequest request, CancellationToken cancellationToken = default)
    {
        var kind = request.Kind;
        var targetText = DescribeTargets(request);
        var parameters = Serialize(request);

        var resolution = await ResolveAsync(request, cancellationToken);
        if (resolution.Refusal is { } refusal)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, kind.Name, targetText, AuditOutcome.Denied, refusal.Message, parameters), cancellationToken);
            return refusal;
        }

        var resolved = resolution.Targets;
        var decision = Authorizer.Authorize(actor, kind, resolved);
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, kind.Name, targetText, AuditOutcome.Denied, decision.Reason, parameters) { Where = Authorizer.FootprintOf(resolved) }, cancellationToken);
            return new ActionResult(ActionStatus.Refused, decision.Reason!);
        }

        var policy = await policies.GetAsync(cancellationToken);
        var rule = policy.RuleFor(kind, resolved, resolution.Count) ?? (request.RequireApproval is { Length: > 0 } asked ? new ApprovalRule(asked, [kind.Name]) : null);
        if (rule is not null)
        {
            var approval = new ApprovalRequest(Guid.NewGuid(), kind, resolved, request.Parameters, actor, rule.Name, request.Reason, clock.GetUtcNow(), policy.Lifetime);
            await approvals.AddAsync(approval, cancellationToken);
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "approval.requested", $"approval:{approval.Id}", AuditOutcome.Pending, $"{approval.Summary} — {rule.Name}", parameters) { Where = Authorizer.FootprintOf(resolved) }, cancellationToken);
            await NotifyApproversAsync(approval, cancellationToken);
            return new ActionResult(ActionStatus.PendingApproval, $"{kind.Verb} of {resolution.Count} {kind.Noun} waits for approval ({rule.Name}).", approval.Id);
        }

        var key = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? Guid.NewGuid().ToString("N") : request.IdempotencyKey;
        var execution = await ExecuteAsync(kind, resolved, request.Parameters, key, cancellationToken);
        var executedTargets = WithCreated(targetText, execution.Created);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, kind.Name, executedTargets, execution.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed, execution.Summary, parameters, execution.RequestId) { Where = Authorizer.FootprintOf(resolved) }, cancellationToken);
        return new ActionResult(execution.Succeeded ? ActionStatus.Executed : ActionStatus.Failed, execution.Summary) { Created = execution.Created };
    }

    /// <summary>
    /// Looks the request's targets up and authorizes them, and says whether it would need approval, without acting or auditing:
    /// what a page shows before the person confirms (a launch's review step).
    /// </summary>
    /// <summary>
    /// The same answer for targets the page already holds (a selection in the fleet grid), without looking each one up again:
    /// a hint for the confirmation only; <see cref="SubmitAsync"/> still decides on what the inventory says.
    /// </summary>
    public async Task<ActionPreview> PreviewAsync(Actor actor, ActionKind kind, IReadOnlyList<ResolvedTarget> known, CancellationToken cancellationToken = default)
    {
        var decision = Authorizer.Authorize(actor, kind, known);
        if (!decision.Allowed)
        {
            return new ActionPreview(false, decision.Reason, null);
        }

        var policy = await policies.GetAsync(cancellationToken);
        return new ActionPreview(true, null, policy.RuleFor(kind, known)?.Name);
    }

    public async Task<ActionPreview> PreviewAsync(Actor actor, ActionRequest request, CancellationToken cancellationToken = default)
    {
        var resolution = await ResolveAsync(request, cancellationToken);
        if (resolution.Refusal is { } refusal)
        {
            return new ActionPreview(false, refusal.Message, null);
        }

        var decision = Authorizer.Authorize(actor, request.Kind, resolution.Targets);
        if (!decision.Allowed)
        {
            return new ActionPreview(false, decision.Reason, null);
        }

        var policy = await policies.GetAsync(cancellationToken);
        return new ActionPreview(true, null, policy.RuleFor(request.Kind, resolution.Targets, resolution.Count)?.Name);
    }

    public Task<ActionResult> ApproveAsync(Actor actor, Guid approvalId, string? reason, CancellationToken cancellationToken = default) =>
        DecideAsync(actor, approvalId, approve: true, reason, cancellationToken);

    public Task<ActionResult> DenyAsync(Actor actor, Guid approvalId, string? reason, CancellationToken cancellationToken = default) =>
        DecideAsync(actor, approvalId, approve: false, reason, cancellationToken);

    /// <summary>Carries out an approved request. Safe to run twice: a request that is no longer Approved is left alone.</summary>
    public async Task<ActionResult> ExecuteApprovedAsync(Guid approvalId, CancellationToken cancellationToken = default)
    {
        var request = await approvals.FindAsync(approvalId, cancellationToken);
        if (request is null)
        {
            return new ActionResult(ActionStatus.NotFound, $"Approval request {approvalId} does not exist.");
        }

        if (request.Status != ApprovalStatus.Approved)
        {
            return new ActionResult(ActionStatus.Conflict, $"Approval request {approvalId} is {request.Status}; nothing to do.", approvalId);
        }

        var version = request.Version;
        var execution = await ExecuteAsync(request.Kind, request.Targets, request.Parameters, request.Id.ToString("N"), cancellationToken);
        var now = clock.GetUtcNow();
        if (execution.Succeeded)
        {
            request.MarkExecuted(execution.Summary, now);
        }
        else
        {
            request.MarkFailed(execution.Summary, now);
        }

        try
        {
            await approvals.UpdateAsync(request, version, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Another run of the same job finished first; it recorded the outcome (the idempotency key made the call once).
            return new ActionResult(ActionStatus.Conflict, $"Approval request {approvalId} was completed by another run.", approvalId);
        }

        var actorName = $"{request.RequestedByName} (approved by {request.DecidedByName})";
        await audit.AppendAsync(
            new AuditEvent(actorName, request.RequestedBy, Channel.Job, request.KindName, WithCreated(DescribeTargets(request.Targets.Select(t => t.Ref).ToList()), execution.Created),
                execution.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed, execution.Summary, $"{{\"approval\":\"{request.Id}\"}}", execution.RequestId) { Where = Authorizer.FootprintOf(request.Targets) },
            cancellationToken);
        await notifier.NotifyAsync(
            new Notification(NotificationKind.ActionCompleted, execution.Succeeded ? "Approved action done" : "Approved action failed", $"{request.Summary}: {execution.Summary}", [request.RequestedBy], request.Id),
            cancellationToken);
        return new ActionResult(execution.Succeeded ? ActionStatus.Executed : ActionStatus.Failed, execution.Summary, request.Id) { Created = execution.Created };
    }

    /// <summary>Expires pending requests whose time is up. Returns how many expired.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var expired = 0;
        foreach (var request in await approvals.ListAsync(ApprovalStatus.Pending, 1000, cancellationToken))
        {
            if (!request.IsExpiredAt(now))
            {
                continue;
            }

            var version = request.Version;
            request.Expire(now);
            try
            {
                await approvals.UpdateAsync(request, version, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                continue;
            }

            expired++;
            await audit.AppendAsync(new AuditEvent("system", null, Channel.Job, "approval.expired", $"approval:{request.Id}", AuditOutcome.Failed, request.Summary) { Where = Authorizer.FootprintOf(request.Targets) }, cancellationToken);
            await notifier.NotifyAsync(new Notification(NotificationKind.ApprovalDecided, "Approval request expired", request.Summary, [request.RequestedBy], request.Id), cancellationToken);
        }

        return expired;
    }

    private async Task<ActionResult> DecideAsync(Actor actor, Guid approvalId, bool approve, string? reason, CancellationToken cancellationToken)
    {
        var action = approve ? "approval.approve" : "approval.deny";
        var target = $"approval:{approvalId}";
        var request = await approvals.FindAsync(approvalId, cancellationToken);
        if (request is null)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, "No such approval request."), cancellationToken);
            return new ActionResult(ActionStatus.NotFound, "That approval request does not exist.");
        }

        var now = clock.GetUtcNow();
        if (request.IsExpiredAt(now))
        {
            var version = request.Version;
            request.Expire(now);
            try
            {
                await approvals.UpdateAsync(request, version, cancellationToken);
                await audit.AppendAsync(new AuditEvent("system", null, Channel.System, "approval.expired", target, AuditOutcome.Failed, request.Summary) { Where = Authorizer.FootprintOf(request.Targets) }, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // Someone else recorded the expiry first; the outcome for this caller is the same.
            }

            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, "The request had expired.") { Where = Authorizer.FootprintOf(request.Targets) }, cancellationToken);
            return new ActionResult(ActionStatus.Refused, "This request has expired.", approvalId);
        }

        var decision = Authorizer.AuthorizeDecision(actor, request);
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, decision.Reason) { Where = Authorizer.FootprintOf(request.Targets) }, cancellationToken);
            return new ActionResult(ActionStatus.Refused, decision.Reason!, approvalId);
        }

        var expected = request.Version;
        try
        {
            if (approve)
            {
                request.Approve(actor, reason, now);
            }
            else
            {
                request.Deny(actor, reason, now);
            }

            await approvals.UpdateAsync(request, expected, cancellationToken);
        }
        catch (DomainException ex)
        {
            var current = ex is ConcurrencyConflictException ? await approvals.FindAsync(approvalId, cancellationToken) : request;
            var message = ex is ConcurrencyConflictException && current is not null
                ? $"This request was already {current.Status.ToString().ToLowerInvariant()}{(current.DecidedByName is null ? string.Empty : $" by {current.DecidedByName}")}."
                : ex.Message;
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, message) { Where = Authorizer.FootprintOf(request.Targets) }, cancellationToken);
            return new ActionResult(ex is ConcurrencyConflictException ? ActionStatus.Conflict : ActionStatus.Refused, message, approvalId);
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Succeeded, $"{request.Summary}{(request.DecisionReason is null ? string.Empty : $" — {request.DecisionReason}")}") { Where = Authorizer.FootprintOf(request.Targets) }, cancellationToken);
        await notifier.NotifyAsync(
            new Notification(NotificationKind.ApprovalDecided, approve ? "Request approved" : "Request denied", $"{request.Summary} — {(approve ? "approved" : "denied")} by {actor.Name}", [request.RequestedBy], request.Id),
            cancellationToken);
        if (approve)
        {
            scheduler.EnqueueApproved(request.Id);
            return new ActionResult(ActionStatus.Decided, $"Approved. {request.Kind.Verb} of {request.TargetCount} {request.Kind.Noun} is running.", request.Id);
        }

        return new ActionResult(ActionStatus.Decided, "Denied.", request.Id);
    }

    private async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var executor = executors.FirstOrDefault(e => e.CanExecute(kind));
        if (executor is null)
        {
            return new ActionExecution(false, $"No executor is registered for {kind.Name}.", null);
        }

        try
        {
            return await executor.ExecuteAsync(kind, targets, parameters, idempotencyKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ActionExecution(false, $"{kind.Verb} failed: {ex.Message}", null);
        }
    }

    private async Task<Resolution> ResolveAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        var kind = request.Kind;
        if (kind.Target == ActionTarget.NewInstances)
        {
            if (request.Placement is not { } placement || string.IsNullOrWhiteSpace(placement.AccountId) || string.IsNullOrWhiteSpace(placement.Region))
            {
                return Resolution.Refuse(ActionStatus.Refused, "Choose an account and a region to launch in.");
            }

            if (placement.Count is < 1 or > MaxTargets)
            {
                return Resolution.Refuse(ActionStatus.Refused, $"Launch between 1 and {MaxTargets} instances at once.");
            }

            var target = new ResolvedTarget(new InstanceRef(placement.AccountId, placement.Region, ResolvedTarget.NewInstancesId), $"{placement.Count} new instance(s)", placement.Tags);
            return new Resolution([target], placement.Count, null);
        }

        if (request.Targets.Count == 0 || request.Targets.Count > MaxTargets)
        {
            var noun = kind.Target == ActionTarget.Instances ? "instances" : kind.Noun;
            var message = request.Targets.Count == 0
                ? kind.Target == ActionTarget.Instances ? "Select at least one instance." : $"Select at least one of the {noun}."
                : $"At most {MaxTargets} {noun} can be acted on at once.";

            return Resolution.Refuse(ActionStatus.Refused, message);
        }

        var executor = kind.Target == ActionTarget.Instances ? null : executors.FirstOrDefault(e => e.CanExecute(kind));
        var resolved = new List<ResolvedTarget>(request.Targets.Count);
        foreach (var target in request.Targets.Distinct())
        {
            var found = kind.Target == ActionTarget.Instances
                ? await inventory.FindAsync(target, cancellationToken) is { } instance ? new ResolvedTarget(instance.Ref, instance.Name, instance.Tags) : null
                : executor is null ? null : await executor.ResolveAsync(kind, target, cancellationToken);
            if (found is null)
            {
                var what = kind.Target == ActionTarget.Instances ? "Instance" : kind.Target == ActionTarget.Volumes ? "Volume" : "Elastic IP";
                return Resolution.Refuse(ActionStatus.NotFound, $"{what} {target.InstanceId} was not found in {target.AccountId}/{target.Region}.");
            }

            resolved.Add(found);
        }

        return new Resolution(resolved, resolved.Count, null);
    }

    private sealed record Resolution(IReadOnlyList<ResolvedTarget> Targets, int Count, ActionResult? Refusal)
    {
        public static Resolution Refuse(ActionStatus status, string message) => new([], 0, new ActionResult(status, message));
    }

    /// <summary>The targets as asked, followed by the instances the action made, so each new instance's audit trail starts with its launch.</summary>
    private static string WithCreated(string targets, IReadOnlyList<InstanceRef> created) =>
        created.Count > 0 ? $"{targets}: {DescribeTargets(created)}" : targets;

    private static string DescribeTargets(ActionRequest request) =>
        request.Kind.Target == ActionTarget.NewInstances
            ? request.Placement is { } p ? $"{p.AccountId}/{p.Region}/({p.Count} new)" : "(none)"
            : DescribeTargets(request.Targets);

    private async Task NotifyApproversAsync(ApprovalRequest approval, CancellationToken cancellationToken)
    {
        var recipients = Audience.ApproversFor(await users.ListAsync(cancellationToken), approval);
        await notifier.NotifyAsync(
            new Notification(NotificationKind.ApprovalRequested, "Approval needed", $"{approval.RequestedByName} asks to {approval.Summary.ToLowerInvariant()} ({approval.Rule}).", recipients, approval.Id),
            cancellationToken);
    }

    private static string DescribeTargets(IReadOnlyList<InstanceRef> targets) =>
        targets.Count switch
        {
            0 => "(none)",
            <= 10 => string.Join(", ", targets.Select(t => t.ToString())),
            _ => $"{string.Join(", ", targets.Take(10).Select(t => t.ToString()))} and {targets.Count - 10} more",
        };

    private static string Serialize(ActionRequest request) =>
        JsonSerializer.Serialize(new { targets = request.Targets.Count, reason = request.Reason, parameters = request.Parameters }, Json);
}
