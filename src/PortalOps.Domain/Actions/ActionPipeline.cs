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

    /// <summary>Some targets took the action and some did not: the message names the ones that failed.</summary>
    PartlySucceeded,
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
    TimeProvider clock,
    IActionLedger ledger,
    IEnumerable<IApprovalCondition>? conditions = null)
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
        var decision = Authorizer.Authorize(actor, kind, resolved, request.Parameters);
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, kind.Name, targetText, AuditOutcome.Denied, decision.Reason, parameters) { Where = Authorizer.FootprintOf(resolved) }, cancellationToken);
            return new ActionResult(ActionStatus.Refused, decision.Reason!);
        }

        var policy = await policies.GetAsync(cancellationToken);
        var rule = policy.RuleFor(kind, resolved, resolution.Count) ?? (request.RequireApproval is { Length: > 0 } asked ? new ApprovalRule(asked, [kind.Name]) : null)
            ?? await ConditionRuleAsync(kind, resolved, request.Parameters, cancellationToken);
        if (rule is not null)
        {
            var approval = new ApprovalRequest(Guid.NewGuid(), kind, resolved, request.Parameters, actor, rule.Name, request.Reason, clock.GetUtcNow(), policy.Lifetime);
            await approvals.AddAsync(approval, cancellationToken);
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "approval.requested", $"approval:{approval.Id}", AuditOutcome.Pending, $"{approval.Summary} — {rule.Name}", parameters) { Where = Authorizer.FootprintOf(resolved) }, cancellationToken);
            await NotifyApproversAsync(approval, cancellationToken);
            return new ActionResult(ActionStatus.PendingApproval, $"{kind.Verb} of {resolution.Count} {kind.Noun} waits for approval ({rule.Name}).", approval.Id);
        }

        var key = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? Guid.NewGuid().ToString("N") : request.IdempotencyKey;
        var execution = await ExecuteOnceAsync(kind, resolved, request.Parameters, key, cancellationToken);
        var executedTargets = WithCreated(targetText, execution.Created);

        // The cloud was called: the record is written even if the caller has gone (a closed page, a stopping node).
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, kind.Name, executedTargets, execution.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed, execution.Summary, parameters, execution.RequestId) { Where = Authorizer.FootprintOf(resolved) }, CancellationToken.None);
        return new ActionResult(StatusOf(execution), execution.Summary) { Created = execution.Created };
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

        var decision = Authorizer.Authorize(actor, request.Kind, resolution.Targets, request.Parameters);
        if (!decision.Allowed)
        {
            return new ActionPreview(false, decision.Reason, null);
        }

        var policy = await policies.GetAsync(cancellationToken);
        if (policy.RuleFor(request.Kind, resolution.Targets, resolution.Count) is null && request.RequireApproval is { Length: > 0 } asked)
        {
            // The request itself asks for approval (a module's own setting, such as restores): the preview says so, as the submit will.
            return new ActionPreview(true, null, asked);
        }

        return new ActionPreview(true, null, (policy.RuleFor(request.Kind, resolution.Targets, resolution.Count) ?? await ConditionRuleAsync(request.Kind, resolution.Targets, request.Parameters, cancellationToken))?.Name);
    }

    /// <summary>The first <see cref="IApprovalCondition"/> that asks for approval (a rule no Admin wrote, such as the last healthy target).</summary>
    private async Task<ApprovalRule?> ConditionRuleAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        foreach (var condition in conditions ?? [])
        {
            if (await condition.RuleForAsync(kind, targets, parameters, cancellationToken) is { } rule)
            {
                return rule;
            }
        }

        return null;
    }

    public Task<ActionResult> ApproveAsync(Actor actor, Guid approvalId, string? reason, CancellationToken cancellationToken = default) =>
        DecideAsync(actor, approvalId, approve: true, reason, cancellationToken);

    public Task<ActionResult> DenyAsync(Actor actor, Guid approvalId, string? reason, CancellationToken cancellationToken = default) =>
        DecideAsync(actor, approvalId, approve: false, reason, cancellationToken);

    /// <summary>How long an approved request may wait for its execution job before the sweeper enqueues it again.</summary>
    public static readonly TimeSpan SweepAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Carries out an approved request, exactly once however often it is called and on however many nodes:
    /// the request is first claimed (Approved → Executing, a conditional update that only one caller wins), then authorized again
    /// against the requester's current role and scopes and the targets' current tags, then run with the approval id as its
    /// idempotency key (recorded durably in the <see cref="IActionLedger"/>). Once the cloud was called, the outcome, the audit
    /// record and the notification are written even if <paramref name="cancellationToken"/> fires.
    /// </summary>
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

        var claimed = request.Version;
        request.BeginExecution(clock.GetUtcNow());
        try
        {
            await approvals.UpdateAsync(request, claimed, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Another run of the same job claimed it first; that run acts and records the outcome.
            return new ActionResult(ActionStatus.Conflict, $"Approval request {approvalId} is being carried out by another run.", approvalId);
        }

        var actorName = $"{request.RequestedByName} (approved by {request.DecidedByName})";
        var parameters = $"{{\"approval\":\"{request.Id}\"}}";
        ActionExecution execution;
        IReadOnlyList<ResolvedTarget>? current = null;
        var claimedKey = false;
        try
        {
            var refusal = await ReauthorizeAsync(request, cancellationToken);
            current = refusal.Targets;
            if (refusal.Reason is { } reason)
            {
                // Nothing was called: the refusal is recorded as the request's outcome and audited as a denial.
                await CompleteAsync(request, new ActionExecution(false, $"Refused at execution: {reason}", null));
                await audit.AppendAsync(new AuditEvent(actorName, request.RequestedBy, Channel.Job, "approval.execute", $"approval:{request.Id}", AuditOutcome.Denied, reason, parameters) { Where = Authorizer.FootprintOf(request.Targets) }, CancellationToken.None);
                await notifier.NotifyAsync(
                    new Notification(NotificationKind.ActionCompleted, "Approved action refused", $"{request.Summary}: {reason}", [request.RequestedBy], request.Id),
                    CancellationToken.None);
                return new ActionResult(ActionStatus.Refused, reason, request.Id);
            }

            execution = await ExecuteOnceAsync(request.Kind, current!, request.Parameters, request.Id.ToString("N"), cancellationToken, () => claimedKey = true);
        }
        catch (Exception ex) when (!claimedKey && ex is not OperationCanceledException)
        {
            // Nothing was called (a lookup, the key's claim or the refusal's record failed — the database was away): the request
            // goes back to the queue, and the sweeper queues it again.
            await DurablyAsync(async () =>
            {
                var fresh = await approvals.FindAsync(approvalId, CancellationToken.None);
                if (fresh is { Status: ApprovalStatus.Executing })
                {
                    var version = fresh.Version;
                    fresh.Requeue(clock.GetUtcNow());
                    await approvals.UpdateAsync(fresh, version, CancellationToken.None);
                }
            });
            return new ActionResult(ActionStatus.Failed, $"Could not be carried out now ({ex.GetType().Name}); it is queued again.", request.Id);
        }
        catch (OperationCanceledException)
        {
            // Stopped after the claim (a node shutting down): whether the cloud was called is unknown, and the key is spent,
            // so no later run acts again. Say so on the request rather than leave it Executing.
            execution = new ActionExecution(false, "Interrupted before the outcome was known; check the targets before asking again.", null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The ledger or a lookup failed after the claim: record it rather than leave the request Executing for good.
            execution = new ActionExecution(false, $"Could not be carried out ({ex.GetType().Name}); check the targets before asking again.", null);
        }

        await CompleteAsync(request, execution);
        await TellOutcomeAsync(request, execution, current ?? request.Targets);
        return new ActionResult(StatusOf(execution), execution.Summary, request.Id) { Created = execution.Created };
    }

    /// <summary>Audits an approved request's outcome (with the AWS request id) and tells its requester.</summary>
    private async Task TellOutcomeAsync(ApprovalRequest request, ActionExecution execution, IReadOnlyList<ResolvedTarget> targets)
    {
        await audit.AppendAsync(
            new AuditEvent($"{request.RequestedByName} (approved by {request.DecidedByName})", request.RequestedBy, Channel.Job, request.KindName,
                WithCreated(DescribeTargets(request.Targets.Select(t => t.Ref).ToList()), execution.Created), execution.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed,
                execution.Summary, $"{{\"approval\":\"{request.Id}\"}}", execution.RequestId) { Where = Authorizer.FootprintOf(targets) },
            CancellationToken.None);
        await notifier.NotifyAsync(
            new Notification(NotificationKind.ActionCompleted, execution.Succeeded ? "Approved action done" : execution.PartlySucceeded ? "Approved action partly done" : "Approved action failed", $"{request.Summary}: {execution.Summary}", [request.RequestedBy], request.Id),
            CancellationToken.None);
    }

    /// <summary>
    /// Enqueues approved requests whose execution job was never queued (the node stopped, or an error came between the decision
    /// and the enqueue) once they have waited <see cref="SweepAfter"/>. A request queued twice still runs once (see
    /// <see cref="ExecuteApprovedAsync"/>). Returns how many were enqueued.
    /// </summary>
    public async Task<int> SweepApprovedAsync(CancellationToken cancellationToken = default)
    {
        var stranded = await approvals.ListApprovedSinceBeforeAsync(clock.GetUtcNow() - SweepAfter, 500, cancellationToken);
        foreach (var request in stranded)
        {
            scheduler.EnqueueApproved(request.Id);
        }

        return stranded.Count;
    }

    private const string SweeperName = "PortalOps";

    /// <summary>
    /// Writes what must follow a call to the cloud (the ledger's outcome, the request's outcome) even through a short database
    /// outage — a restart, a fail-over: tried again for about a minute before giving up. A retry that finds its write already
    /// made (a version conflict after an attempt whose answer was lost) stops there.
    /// </summary>
    private static async Task DurablyAsync(Func<Task> write)
    {
        var wait = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (ConcurrencyConflictException) when (attempt > 1)
            {
                return;
            }
            catch (Exception ex) when (ex is not DomainException && ex is not OperationCanceledException && attempt < 9)
            {
                await Task.Delay(wait);
                wait = wait * 2 > TimeSpan.FromSeconds(15) ? TimeSpan.FromSeconds(15) : wait * 2;
            }
        }
    }

    /// <summary>How often a running action says it is still at it (see <see cref="HeartbeatAsync"/>).</summary>
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(20);

    /// <summary>How long an action may go without a sign of life before its node is taken to have stopped.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Settles requests left Executing by a node that stopped (killed, lost its host) while carrying them out, so none stays
    /// "under way" for good, and never acts twice:
    /// <list type="bullet">
    /// <item>the ledger has the action's outcome (the node stopped after the cloud answered): the request takes that outcome;</item>
    /// <item>the ledger's claim has had no heartbeat for <see cref="StaleAfter"/>: whether the cloud acted is unknown, so the request
    /// fails saying so (the key stays spent: nothing acts on it again);</item>
    /// <item>no claim at all <see cref="StaleAfter"/> after execution began (the node stopped before calling anything): the key is
    /// claimed here, so a late run cannot act either, and the request fails saying nothing was changed.</item>
    /// </list>
    /// Each is audited with the request's outcome and told to the requester. Returns how many were settled.
    /// </summary>
    public async Task<int> RecoverStrandedAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var settled = 0;
        foreach (var request in await approvals.ListAsync(ApprovalStatus.Executing, 500, cancellationToken))
        {
            if ((request.ExecutionStartedAt ?? request.DecidedAt ?? request.CreatedAt) > now - StaleAfter)
            {
                continue;
            }

            var key = $"{request.KindName}:{request.Id:N}";
            var entry = await ledger.FindAsync(key, cancellationToken);
            ActionExecution outcome;
            if (entry is null)
            {
                // Nothing was called under its key: back to the queue, and carried out by the next run (the key still guards it).
                var version = request.Version;
                request.Requeue(now);
                try
                {
                    await approvals.UpdateAsync(request, version, cancellationToken);
                }
                catch (ConcurrencyConflictException)
                {
                    continue;
                }

                await audit.AppendAsync(
                    new AuditEvent(SweeperName, Guid.Empty, Channel.Job, "approval.requeued", $"approval:{request.Id}", AuditOutcome.Succeeded, request.Outcome) { Where = Authorizer.FootprintOf(request.Targets) },
                    CancellationToken.None);
                scheduler.EnqueueApproved(request.Id);
                settled++;
                continue;
            }
            else if (entry.IsCompleted)
            {
                outcome = new ActionExecution(entry.Succeeded == true, entry.Summary ?? "Carried out.", entry.RequestId) { Created = entry.Created };
            }
            else
            {
                outcome = new ActionExecution(false, $"The node carrying it out stopped (last seen {entry.LastSeen:u}) before the outcome was known; check the targets before asking again.", null);
                if (!await ledger.TryAbandonAsync(key, now - StaleAfter, outcome, now, cancellationToken))
                {
                    continue; // Still beating, or finished meanwhile: left to the node carrying it out.
                }
            }

            try
            {
                await CompleteAsync(request, outcome);
            }
            catch (ConcurrencyConflictException)
            {
                continue; // The node carrying it out recorded it first.
            }

            await TellOutcomeAsync(request, outcome, request.Targets);
            settled++;
        }

        return settled;
    }

    /// <summary>Expires every pending request whose time is up, the oldest expiry first, in batches. Returns how many expired.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        const int batch = 500;
        var now = clock.GetUtcNow();
        var expired = 0;
        while (true)
        {
            var due = await approvals.ListDueForExpiryAsync(now, batch, cancellationToken);
            var progress = 0;
            foreach (var request in due)
            {
                var version = request.Version;
                request.Expire(now);
                try
                {
                    await approvals.UpdateAsync(request, version, cancellationToken);
                }
                catch (ConcurrencyConflictException)
                {
                    continue; // decided (or expired) by someone else meanwhile
                }

                progress++;
                await audit.AppendAsync(new AuditEvent("system", null, Channel.Job, "approval.expired", $"approval:{request.Id}", AuditOutcome.Failed, request.Summary) { Where = Authorizer.FootprintOf(request.Targets) }, CancellationToken.None);
                await notifier.NotifyAsync(new Notification(NotificationKind.ApprovalDecided, "Approval request expired", request.Summary, [request.RequestedBy], request.Id), CancellationToken.None);
            }

            expired += progress;

            // A short batch was the last; a batch of nothing but conflicts is left to the next run rather than spun on.
            if (due.Count < batch || progress == 0)
            {
                return expired;
            }
        }
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

        try
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Succeeded, $"{request.Summary}{(request.DecisionReason is null ? string.Empty : $" — {request.DecisionReason}")}") { Where = Authorizer.FootprintOf(request.Targets) }, CancellationToken.None);
            await notifier.NotifyAsync(
                new Notification(NotificationKind.ApprovalDecided, approve ? "Request approved" : "Request denied", $"{request.Summary} — {(approve ? "approved" : "denied")} by {actor.Name}", [request.RequestedBy], request.Id),
                CancellationToken.None);
        }
        finally
        {
            if (approve)
            {
                // Queued after the decision's messages (so the outcome's edit comes after them), and even when the audit or a
                // notification fails; should this node stop before it is queued, the sweeper (SweepApprovedAsync) queues it a
                // minute later. Executing twice acts once.
                scheduler.EnqueueApproved(request.Id);
            }
        }

        if (approve)
        {
            return new ActionResult(ActionStatus.Decided, $"Approved. {request.Kind.Verb} of {request.TargetCount} {request.Kind.Noun} is running.", request.Id);
        }

        return new ActionResult(ActionStatus.Decided, "Denied.", request.Id);
    }

    /// <summary>Executed, failed, or partly done when some targets took the action (<see cref="ActionExecution.PartlySucceeded"/>).</summary>
    private static ActionStatus StatusOf(ActionExecution execution) =>
        execution.Succeeded ? ActionStatus.Executed : execution.PartlySucceeded ? ActionStatus.PartlySucceeded : ActionStatus.Failed;

    /// <summary>
    /// Runs the action unless its idempotency key was claimed before: the key is claimed in the <see cref="IActionLedger"/> first
    /// and its outcome recorded after, so a repeat gets the first outcome (or "under way") without a second call to the port.
    /// </summary>
    private async Task<ActionExecution> ExecuteOnceAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken, Action? claimed = null)
    {
        var ledgerKey = $"{kind.Name}:{idempotencyKey}";
        var prior = await ledger.TryClaimAsync(ledgerKey, kind.Name, clock.GetUtcNow(), cancellationToken);
        claimed?.Invoke();
        if (prior is not null)
        {
            return prior.IsCompleted
                ? new ActionExecution(prior.Succeeded == true, $"Already carried out with this key at {prior.CompletedAt:u}: {prior.Summary}", prior.RequestId) { Created = prior.Created }
                : new ActionExecution(false, $"Already under way with this key since {prior.ClaimedAt:u}; not started again.", null);
        }

        ActionExecution execution;
        using var beating = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(ledgerKey, beating.Token);
        try
        {
            execution = await ExecuteAsync(kind, targets, parameters, idempotencyKey, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            execution = new ActionExecution(false, "Interrupted before the outcome was known; check the targets before asking again.", null);
            await DurablyAsync(() => ledger.CompleteAsync(ledgerKey, execution, clock.GetUtcNow(), CancellationToken.None));
            throw;
        }
        finally
        {
            await beating.CancelAsync();
            await heartbeat;
        }

        await DurablyAsync(() => ledger.CompleteAsync(ledgerKey, execution, clock.GetUtcNow(), CancellationToken.None));
        return execution;
    }

    /// <summary>
    /// Says in the ledger, every <see cref="HeartbeatEvery"/> while an action runs, that this process is still at it, so that
    /// <see cref="RecoverStrandedAsync"/> can tell a long action (a drain waiting out its delay) from one whose node stopped.
    /// A failed beat is skipped: the next one, or the action's outcome, follows.
    /// </summary>
    private async Task HeartbeatAsync(string ledgerKey, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(HeartbeatEvery, clock, stop);
                try
                {
                    await ledger.RenewAsync(ledgerKey, clock.GetUtcNow(), stop);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database is briefly away; the claim stays, and the sweeper waits StaleAfter before acting on it.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The action finished.
        }
    }

    /// <summary>
    /// An approved request is authorized again when it runs: against the requester as they are now (role, scopes, enabled) and the
    /// targets as they are now (tags, existence). Returns the current targets, and a reason when it may not run.
    /// </summary>
    private async Task<(IReadOnlyList<ResolvedTarget>? Targets, string? Reason)> ReauthorizeAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var requester = await users.FindAsync(request.RequestedBy, cancellationToken);
        if (requester is null || requester.IsDisabled)
        {
            return (null, $"{request.RequestedByName} {(requester is null ? "no longer exists" : "is disabled")}.");
        }

        var kind = request.Kind;
        var current = new List<ResolvedTarget>(request.Targets.Count);
        if (kind.Target == ActionTarget.NewInstances)
        {
            current.AddRange(request.Targets);
        }
        else
        {
            var executor = kind.Target == ActionTarget.Instances ? null : executors.FirstOrDefault(e => e.CanExecute(kind));
            foreach (var target in request.Targets.Select(t => t.Ref))
            {
                var found = kind.Target == ActionTarget.Instances
                    ? await inventory.FindAsync(target, cancellationToken) is { } instance ? new ResolvedTarget(instance.Ref, instance.Name, instance.Tags) : null
                    : executor is null ? null : await executor.ResolveAsync(kind, target, cancellationToken);
                if (found is null)
                {
                    return (null, $"{target} no longer exists.");
                }

                current.Add(found);
            }
        }

        var decision = Authorizer.Authorize(requester.AsActor(request.RequestedVia), kind, current, request.Parameters);
        return decision.Allowed ? (current, null) : (current, decision.Reason);
    }

    /// <summary>Records the outcome on the claimed request. The claim makes this run the only writer, so a conflict means the row is gone.</summary>
    private async Task CompleteAsync(ApprovalRequest request, ActionExecution execution)
    {
        var version = request.Version;
        var now = clock.GetUtcNow();
        if (execution.Succeeded)
        {
            request.MarkExecuted(execution.Summary, now);
        }
        else
        {
            request.MarkFailed(execution.Summary, now);
        }

        await DurablyAsync(() => approvals.UpdateAsync(request, version, CancellationToken.None));
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
                var what = kind.Target switch { ActionTarget.Instances => "Instance", ActionTarget.Volumes => "Volume", ActionTarget.ComplianceResources => "Resource", ActionTarget.ScalingGroups => "Auto Scaling group", ActionTarget.TargetGroups => "Target group", ActionTarget.BackupPolicies => "Backup policy", ActionTarget.RecoveryPoints => "Recovery point", ActionTarget.OffHoursSchedules => "Off-hours schedule", ActionTarget.Budgets => "Budget scope", ActionTarget.Addresses => "Elastic IP", _ => "Target" };
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
