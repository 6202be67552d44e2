using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Approvals;

public enum ApprovalStatus
{
    Pending,
    Approved,
    Denied,
    Expired,
    Executed,
    Failed,

    /// <summary>Claimed by one run of the execution job; the action is under way (or was interrupted, see <see cref="ApprovalRequest.BeginExecution"/>).</summary>
    Executing,
}

/// <summary>
/// A risky action waiting for a second person: Pending → Approved | Denied | Expired, then Approved → Executing → Executed | Failed
/// (Failed also when the action is no longer authorized at execution).
/// Every change bumps <see cref="Version"/>; the store saves only if nobody changed the row first, so a decision is taken once
/// and of two runs of the execution job only the one that claimed the request (Approved → Executing) acts.
/// </summary>
public sealed class ApprovalRequest
{
    private ApprovalRequest()
    {
        KindName = string.Empty;
        RequestedByName = string.Empty;
        Rule = string.Empty;
        Targets = [];
        Parameters = new Dictionary<string, string>();
    }

    public ApprovalRequest(
        Guid id, ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters,
        Actor requester, string rule, string? reason, DateTimeOffset now, TimeSpan lifetime)
    {
        if (targets.Count == 0)
        {
            throw new DomainException("An approval request needs at least one target.");
        }

        Id = id;
        KindName = kind.Name;
        Targets = targets;
        Parameters = parameters;
        RequestedBy = requester.UserId;
        RequestedByName = requester.Name;
        RequestedVia = requester.Channel;
        Rule = rule;
        Reason = reason;
        CreatedAt = now;
        ExpiresAt = now + lifetime;
        Status = ApprovalStatus.Pending;
    }

    public Guid Id { get; private set; }

    public string KindName { get; private set; }

    public ActionKind Kind => ActionKind.Find(KindName) ?? throw new DomainException($"Unknown action kind '{KindName}'.");

    public IReadOnlyList<ResolvedTarget> Targets { get; private set; }

    public IReadOnlyDictionary<string, string> Parameters { get; private set; }

    public Guid RequestedBy { get; private set; }

    public string RequestedByName { get; private set; }

    public Channel RequestedVia { get; private set; }

    /// <summary>The policy rule that asked for approval.</summary>
    public string Rule { get; private set; }

    public string? Reason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public ApprovalStatus Status { get; private set; }

    public Guid? DecidedBy { get; private set; }

    public string? DecidedByName { get; private set; }

    public Channel? DecidedVia { get; private set; }

    public DateTimeOffset? DecidedAt { get; private set; }

    public string? DecisionReason { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>When a run of the execution job claimed it (Approved → Executing).</summary>
    public DateTimeOffset? ExecutionStartedAt { get; private set; }

    public string? Outcome { get; private set; }

    /// <summary>Optimistic-concurrency token: the version the row had when it was read.</summary>
    public int Version { get; private set; }

    public bool IsOpen => Status == ApprovalStatus.Pending;

    /// <summary>How many instances (or other resources) the request acts on; for a launch, how many it makes.</summary>
    public int TargetCount => Kind.Target == ActionTarget.NewInstances ? Provisioning.LaunchParameters.CountOf(Parameters) : Targets.Count;

    public string Summary => Kind.Target == ActionTarget.NewInstances
        ? Provisioning.LaunchParameters.Describe(Targets.FirstOrDefault()?.Ref, Parameters)
        : Kind == ActionKind.RestoreInstance && Targets.Count == 1 && Backups.RestoreLaunch.Carries(Parameters)
        ? Backups.RestoreLaunch.Describe(Targets[0].Ref, Parameters)
        : $"{Kind.Verb} {Targets.Count} {Kind.Noun}: {string.Join(", ", Targets.Take(3).Select(t => string.IsNullOrEmpty(t.Name) ? t.Ref.InstanceId : $"{t.Name} ({t.Ref.InstanceId})"))}{(Targets.Count > 3 ? ", …" : string.Empty)}";

    public static ApprovalRequest FromStore(
        Guid id, string kindName, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters,
        Guid requestedBy, string requestedByName, Channel requestedVia, string rule, string? reason,
        DateTimeOffset createdAt, DateTimeOffset expiresAt, ApprovalStatus status,
        Guid? decidedBy, string? decidedByName, Channel? decidedVia, DateTimeOffset? decidedAt, string? decisionReason,
        DateTimeOffset? completedAt, string? outcome, int version, DateTimeOffset? executionStartedAt = null) =>
        new()
        {
            ExecutionStartedAt = executionStartedAt,
            Id = id, KindName = kindName, Targets = targets, Parameters = parameters, RequestedBy = requestedBy,
            RequestedByName = requestedByName, RequestedVia = requestedVia, Rule = rule, Reason = reason, CreatedAt = createdAt,
            ExpiresAt = expiresAt, Status = status, DecidedBy = decidedBy, DecidedByName = decidedByName, DecidedVia = decidedVia,
            DecidedAt = decidedAt, DecisionReason = decisionReason, CompletedAt = completedAt, Outcome = outcome, Version = version,
        };

    public bool IsExpiredAt(DateTimeOffset now) => Status == ApprovalStatus.Pending && now >= ExpiresAt;

    public void Approve(Actor approver, string? reason, DateTimeOffset now) => Decide(approver, reason, now, ApprovalStatus.Approved);

    public void Deny(Actor approver, string? reason, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new DomainException("A denial needs a reason.");
        }

        Decide(approver, reason, now, ApprovalStatus.Denied);
    }

    public void Expire(DateTimeOffset now)
    {
        if (!IsExpiredAt(now))
        {
            throw new DomainException("Only a pending request past its expiry can expire.");
        }

        Status = ApprovalStatus.Expired;
        CompletedAt = now;
        Outcome = "Expired without a decision.";
        Version++;
    }

    /// <summary>
    /// Claims an approved request for execution. Saved with the version check, this is what makes a duplicated or retried job act
    /// once: the run that loses the claim leaves the request alone. A run that dies after its claim leaves the request Executing;
    /// the action's idempotency key (stored with its outcome) keeps any later run from acting again.
    /// </summary>
    public void BeginExecution(DateTimeOffset now)
    {
        if (Status != ApprovalStatus.Approved)
        {
            throw new DomainException($"Only an approved request can be carried out; this one is {Status}.");
        }

        Status = ApprovalStatus.Executing;
        ExecutionStartedAt = now;
        Outcome = $"Execution started {now:u}.";
        Version++;
    }

    /// <summary>
    /// Gives a claimed request back to the queue (Executing → Approved) when the run that claimed it stopped before it called
    /// anything (no idempotency key was claimed for it): the next run carries it out as if the first had never started.
    /// </summary>
    public void Requeue(DateTimeOffset now)
    {
        if (Status != ApprovalStatus.Executing)
        {
            throw new DomainException($"Only a request being carried out can go back to the queue; this one is {Status}.");
        }

        Status = ApprovalStatus.Approved;
        ExecutionStartedAt = null;
        Outcome = $"Queued again {now:u}: the node carrying it out stopped before calling AWS.";
        Version++;
    }

    public void MarkExecuted(string outcome, DateTimeOffset now) => Complete(ApprovalStatus.Executed, outcome, now);

    /// <summary>Records a failure of the action, or its refusal at execution (the requester lost the right meanwhile).</summary>
    public void MarkFailed(string outcome, DateTimeOffset now) => Complete(ApprovalStatus.Failed, outcome, now);

    private void Decide(Actor approver, string? reason, DateTimeOffset now, ApprovalStatus decision)
    {
        if (Status != ApprovalStatus.Pending)
        {
            throw new DomainException($"This request was already {Status.ToString().ToLowerInvariant()}{(DecidedByName is null ? string.Empty : $" by {DecidedByName}")}.");
        }

        if (now >= ExpiresAt)
        {
            throw new DomainException("This request has expired.");
        }

        if (approver.UserId == RequestedBy)
        {
            throw new DomainException("Nobody approves their own request.");
        }

        Status = decision;
        DecidedBy = approver.UserId;
        DecidedByName = approver.Name;
        DecidedVia = approver.Channel;
        DecidedAt = now;
        DecisionReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        Version++;
    }

    private void Complete(ApprovalStatus status, string outcome, DateTimeOffset now)
    {
        if (Status != ApprovalStatus.Executing)
        {
            throw new DomainException($"Only a request being carried out can be completed; this one is {Status}.");
        }

        Status = status;
        Outcome = outcome;
        CompletedAt = now;
        Version++;
    }
}

/// <summary>Stores approval requests with optimistic concurrency.</summary>
public interface IApprovalStore
{
    Task AddAsync(ApprovalRequest request, CancellationToken cancellationToken = default);

    Task<ApprovalRequest?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Saves the request if the stored row still has <paramref name="expectedVersion"/>; otherwise throws <see cref="ConcurrencyConflictException"/>.</summary>
    Task UpdateAsync(ApprovalRequest request, int expectedVersion, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, int take, CancellationToken cancellationToken = default);

    /// <summary>Pending requests whose expiry is at or before <paramref name="now"/>, the oldest expiry first (a batch; call again for more).</summary>
    Task<IReadOnlyList<ApprovalRequest>> ListDueForExpiryAsync(DateTimeOffset now, int take, CancellationToken cancellationToken = default);

    /// <summary>Approved requests decided at or before <paramref name="decidedBefore"/> and not yet claimed, the oldest decision first.</summary>
    Task<IReadOnlyList<ApprovalRequest>> ListApprovedSinceBeforeAsync(DateTimeOffset decidedBefore, int take, CancellationToken cancellationToken = default);

    Task<int> CountPendingAsync(CancellationToken cancellationToken = default);
}

/// <summary>Runs approved requests in the background, durably: a queued execution survives a restart.</summary>
public interface IActionScheduler
{
    void EnqueueApproved(Guid approvalId);
}
