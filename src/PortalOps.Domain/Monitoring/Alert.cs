using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>Firing → Notified → Acknowledged → Resolved. Firing is "open and nobody told yet" (snoozed or about to be sent).</summary>
public enum AlertStatus
{
    Firing,
    Notified,
    Acknowledged,
    Resolved,
}

public enum AlertEventKind
{
    Opened,
    Notified,
    InstanceJoined,
    InstanceRecovered,
    Acknowledged,
    Snoozed,
    Resolved,
    ActionOffered,
    ActionRun,
    ActionRefused,
}

/// <summary>One line of an alert's history.</summary>
public sealed record AlertEvent(DateTimeOffset At, AlertEventKind Kind, string Actor, string Detail);

/// <summary>An instance that breaches the rule in this incident, with the value and the evaluator's words.</summary>
public sealed record AlertMember(InstanceRef Instance, string Name, DateTimeOffset Since, double? Value, string Detail)
{
    /// <summary>The instance's tags when it joined; with its account and region they decide who may see the alert.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public Footprint Footprint => Footprint.Of(Instance.AccountId, Instance.Region, Tags);
}

/// <summary>What should be said about an alert now.</summary>
public enum NoticeKind
{
    Opened,
    Updated,
    Resolved,
}

/// <summary>
/// One incident of one rule: every instance that breaches the rule joins the same open alert (deduplication and roll-up), and the
/// alert resolves itself once none does. People acknowledge, snooze or resolve it; every change lands in its history.
/// Every change bumps <see cref="Version"/> (optimistic concurrency, as for approvals).
/// </summary>
public sealed class Alert
{
    public const int MaxHistory = 200;
    public static readonly TimeSpan MaxSnooze = TimeSpan.FromDays(7);

    private readonly List<AlertMember> _members = [];
    private readonly List<AlertEvent> _history = [];
    private readonly List<Guid> _approvals = [];

    private Alert()
    {
        RuleName = string.Empty;
        Description = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid RuleId { get; private set; }

    public string RuleName { get; private set; }

    /// <summary>The rule's description when the alert opened.</summary>
    public string Description { get; private set; }

    public Severity Severity { get; private set; }

    public AlertStatus Status { get; private set; }

    public DateTimeOffset OpenedAt { get; private set; }

    public DateTimeOffset? NotifiedAt { get; private set; }

    public Guid? AcknowledgedBy { get; private set; }

    public string? AcknowledgedByName { get; private set; }

    public DateTimeOffset? SnoozedUntil { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public string? ResolvedByName { get; private set; }

    /// <summary>Bumped when instances join; notifications remember the count they reported.</summary>
    public int Changes { get; private set; }

    public int NotifiedChanges { get; private set; }

    /// <summary>True once the resolution was announced.</summary>
    public bool ResolutionNotified { get; private set; }

    /// <summary>The most instances the alert had at once.</summary>
    public int PeakMembers { get; private set; }

    public int Version { get; private set; }

    /// <summary>
    /// Where every instance that ever joined this alert lies (what they all share): who may see the alert, its members and its
    /// history (<see cref="Actions.Authorizer.MaySee(Actor, Alert)"/>). Null for an alert stored before footprints were kept.
    /// </summary>
    public Footprint? Footprint { get; private set; }

    public IReadOnlyList<AlertMember> Members => _members;

    public IReadOnlyList<AlertEvent> History => _history;

    /// <summary>Approval requests for the rule's offered corrective actions.</summary>
    public IReadOnlyList<Guid> ApprovalIds => _approvals;

    public bool IsOpen => Status != AlertStatus.Resolved;

    public string Title => AlertSources.IsRuleBased(RuleId)
        ? $"[{Severity}] {RuleName} — {(IsOpen ? $"{_members.Count} instance(s)" : "resolved")}"
        : $"[{Severity}] {RuleName}{(IsOpen ? string.Empty : " — resolved")}";

    public static Alert Open(AlertRule rule, IReadOnlyList<AlertMember> members, DateTimeOffset now)
    {
        if (members.Count == 0)
        {
            throw new DomainException("An alert opens with at least one instance.");
        }

        var alert = new Alert
        {
            Id = Guid.CreateVersion7(now),
            RuleId = rule.Id,
            RuleName = rule.Name,
            Description = $"{rule.Describe()} on {rule.Scope}",
            Severity = rule.Severity,
            Status = AlertStatus.Firing,
            OpenedAt = now,
            Changes = 1,
        };
        alert._members.AddRange(members);
        alert.Footprint = Footprint.Common(members.Select(m => m.Footprint));
        alert.PeakMembers = members.Count;
        alert.Record(now, AlertEventKind.Opened, "system", $"{members.Count} instance(s): {Names(members)}");
        return alert;
    }

    /// <summary>
    /// Opens an alert that no monitoring rule raised (a budget threshold, a spend anomaly): <paramref name="ruleId"/> names its source
    /// (<see cref="AlertSources"/>), which the <see cref="AlertEngine"/> leaves alone; the source keeps, notifies and resolves it. The id is the
    /// caller's, so the same finding opens the same alert once however often it is judged.
    /// </summary>
    public static Alert OpenFor(Guid id, Guid ruleId, string name, string description, Severity severity, IReadOnlyList<AlertMember> members, DateTimeOffset now)
    {
        if (members.Count == 0)
        {
            throw new DomainException("An alert opens with at least one member.");
        }

        var alert = new Alert
        {
            Id = id,
            RuleId = ruleId,
            RuleName = name,
            Description = description,
            Severity = severity,
            Status = AlertStatus.Firing,
            OpenedAt = now,
            Changes = 1,
        };
        alert._members.AddRange(members);
        alert.Footprint = Footprint.Common(members.Select(m => m.Footprint));
        alert.PeakMembers = members.Count;
        alert.Record(now, AlertEventKind.Opened, "system", description);
        return alert;
    }

    public static Alert FromStore(
        Guid id, Guid ruleId, string ruleName, string description, Severity severity, AlertStatus status, DateTimeOffset openedAt, DateTimeOffset? notifiedAt,
        Guid? acknowledgedBy, string? acknowledgedByName, DateTimeOffset? snoozedUntil, DateTimeOffset? resolvedAt, string? resolvedByName,
        int changes, int notifiedChanges, bool resolutionNotified, int peakMembers, int version,
        IEnumerable<AlertMember> members, IEnumerable<AlertEvent> history, IEnumerable<Guid> approvals, Footprint? footprint = null)
    {
        var alert = new Alert
        {
            Id = id, RuleId = ruleId, RuleName = ruleName, Description = description, Severity = severity, Status = status, OpenedAt = openedAt,
            NotifiedAt = notifiedAt, AcknowledgedBy = acknowledgedBy, AcknowledgedByName = acknowledgedByName, SnoozedUntil = snoozedUntil,
            ResolvedAt = resolvedAt, ResolvedByName = resolvedByName, Changes = changes, NotifiedChanges = notifiedChanges,
            ResolutionNotified = resolutionNotified, PeakMembers = peakMembers, Version = version,
            Footprint = footprint ?? Security.Footprint.Common(members.Select(m => m.Footprint)),
        };
        alert._members.AddRange(members);
        alert._history.AddRange(history);
        alert._approvals.AddRange(approvals);
        return alert;
    }

    public bool IsSnoozedAt(DateTimeOffset now) => SnoozedUntil is { } until && now < until;

    /// <summary>
    /// Takes the instances that breach now: new ones join, absent ones recover. With nobody left the alert resolves itself.
    /// Returns the instances that joined.
    /// </summary>
    public IReadOnlyList<AlertMember> Track(IReadOnlyList<AlertMember> breaching, DateTimeOffset now)
    {
        EnsureOpen();
        var current = breaching.ToDictionary(m => m.Instance);
        var joined = breaching.Where(b => _members.All(m => m.Instance != b.Instance)).ToList();
        var recovered = _members.Where(m => !current.ContainsKey(m.Instance)).ToList();
        if (joined.Count == 0 && recovered.Count == 0 && _members.All(m => Equals(m.Value, current[m.Instance].Value)))
        {
            return [];
        }

        // Members keep the time they joined; their value and words follow the latest evaluation.
        for (var i = 0; i < _members.Count; i++)
        {
            if (current.TryGetValue(_members[i].Instance, out var fresh))
            {
                _members[i] = _members[i] with { Value = fresh.Value, Detail = fresh.Detail };
            }
        }

        _members.RemoveAll(m => !current.ContainsKey(m.Instance));
        foreach (var r in recovered)
        {
            Record(now, AlertEventKind.InstanceRecovered, "system", $"{Name(r)} recovered");
        }

        if (joined.Count > 0)
        {
            _members.AddRange(joined);
            Footprint = Footprint is null ? null : Footprint.Common([Footprint, .. joined.Select(m => m.Footprint)]);
            PeakMembers = Math.Max(PeakMembers, _members.Count);
            Changes++;
            Record(now, AlertEventKind.InstanceJoined, "system", $"{joined.Count} more instance(s): {Names(joined)}");
        }

        if (_members.Count == 0)
        {
            Status = AlertStatus.Resolved;
            ResolvedAt = now;
            ResolvedByName = "system";
            Record(now, AlertEventKind.Resolved, "system", "every instance recovered");
        }

        Version++;
        return joined;
    }

    /// <summary>What should be announced now, if anything: nothing while snoozed; an update at most once per <paramref name="rollUp"/>.</summary>
    public NoticeKind? DueNotice(DateTimeOffset now, TimeSpan rollUp)
    {
        if (Status == AlertStatus.Resolved)
        {
            return !ResolutionNotified && NotifiedAt is not null ? NoticeKind.Resolved : null;
        }

        if (IsSnoozedAt(now))
        {
            return null;
        }

        if (NotifiedAt is null)
        {
            return NoticeKind.Opened;
        }

        return Changes > NotifiedChanges && now - NotifiedAt >= rollUp ? NoticeKind.Updated : null;
    }

    public void MarkNotified(NoticeKind notice, DateTimeOffset now)
    {
        if (notice == NoticeKind.Resolved)
        {
            ResolutionNotified = true;
        }
        else
        {
            if (Status == AlertStatus.Firing)
            {
                Status = AlertStatus.Notified;
            }

            NotifiedAt = now;
            NotifiedChanges = Changes;
            // A snooze that has run out is over once people were told again.
            SnoozedUntil = IsSnoozedAt(now) ? SnoozedUntil : null;
        }

        Record(now, AlertEventKind.Notified, "system", notice switch
        {
            NoticeKind.Opened => $"sent: {_members.Count} instance(s)",
            NoticeKind.Updated => $"update sent: {_members.Count} instance(s)",
            NoticeKind.Resolved => "resolution sent",
        });
        Version++;
    }

    public void Acknowledge(Actor actor, DateTimeOffset now)
    {
        EnsureOpen();
        if (Status == AlertStatus.Acknowledged)
        {
            throw new DomainException($"Already acknowledged by {AcknowledgedByName}.");
        }

        Status = AlertStatus.Acknowledged;
        AcknowledgedBy = actor.UserId;
        AcknowledgedByName = actor.Name;
        Record(now, AlertEventKind.Acknowledged, actor.Name, $"via {actor.Channel}");
        Version++;
    }

    public void Snooze(Actor actor, TimeSpan duration, DateTimeOffset now)
    {
        EnsureOpen();
        if (duration <= TimeSpan.Zero || duration > MaxSnooze)
        {
            throw new DomainException($"Snooze for more than 0 and at most {MaxSnooze.TotalDays:0} days.");
        }

        SnoozedUntil = now + duration;
        Record(now, AlertEventKind.Snoozed, actor.Name, $"until {SnoozedUntil:yyyy-MM-dd HH:mm} UTC");
        Version++;
    }

    /// <summary>Closes the alert by hand. If the rule still breaches, the next evaluation opens a new alert.</summary>
    public void Resolve(Actor actor, string? reason, DateTimeOffset now)
    {
        EnsureOpen();
        Status = AlertStatus.Resolved;
        ResolvedAt = now;
        ResolvedByName = actor.Name;
        ResolutionNotified = NotifiedAt is null;
        Record(now, AlertEventKind.Resolved, actor.Name, string.IsNullOrWhiteSpace(reason) ? "resolved by hand" : reason.Trim());
        Version++;
    }

    /// <summary>Records what happened to a corrective action (offered, run or refused) and remembers its approval request.</summary>
    public void RecordAction(AlertEventKind kind, string actor, string detail, DateTimeOffset now, Guid? approvalId = null)
    {
        if (approvalId is { } id && !_approvals.Contains(id))
        {
            _approvals.Add(id);
        }

        Record(now, kind, actor, detail);
        Version++;
    }

    private void EnsureOpen()
    {
        if (Status == AlertStatus.Resolved)
        {
            throw new DomainException($"This alert was resolved{(ResolvedByName is null ? string.Empty : $" by {ResolvedByName}")}.");
        }
    }

    private void Record(DateTimeOffset at, AlertEventKind kind, string actor, string detail)
    {
        _history.Add(new AlertEvent(at, kind, actor, detail));
        if (_history.Count > MaxHistory)
        {
            // Keep the opening and the most recent events.
            _history.RemoveAt(1);
        }
    }

    private static string Name(AlertMember m) => string.IsNullOrEmpty(m.Name) || m.Name == m.Instance.InstanceId ? m.Instance.InstanceId : $"{m.Name} ({m.Instance.InstanceId})";

    private static string Names(IReadOnlyList<AlertMember> members) =>
        string.Join(", ", members.Take(5).Select(Name)) + (members.Count > 5 ? $" and {members.Count - 5} more" : string.Empty);
}

/// <summary>A filter for the alerts list.</summary>
public sealed record AlertQuery(bool OpenOnly = true, Severity? MinimumSeverity = null, Guid? RuleId = null, int PageIndex = 0, int PageSize = 25)
{
    /// <summary>Only alerts this reader may see (<see cref="Actions.Authorizer.ReadScopeOf"/>); null reads all (jobs).</summary>
    public ReadScope? VisibleTo { get; init; }
}

/// <summary>Stores alerts with optimistic concurrency.</summary>
public interface IAlertStore
{
    Task AddAsync(Alert alert, CancellationToken cancellationToken = default);

    Task<Alert?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Saves the alert if the stored one still has <paramref name="expectedVersion"/>; otherwise throws <see cref="ConcurrencyConflictException"/>.</summary>
    Task UpdateAsync(Alert alert, int expectedVersion, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Alert>> ListOpenAsync(CancellationToken cancellationToken = default);

    /// <summary>The alert that offered this approval request, if any.</summary>
    Task<Alert?> FindByApprovalAsync(Guid approvalId, CancellationToken cancellationToken = default);

    Task<Page<Alert>> QueryAsync(AlertQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// Alerts raised outside the monitoring rules, by the module that owns them (it opens, notifies and resolves them; people acknowledge,
/// snooze and resolve them like any alert). Their <see cref="Alert.RuleId"/> is one of these fixed ids, which no rule ever has.
/// </summary>
public static class AlertSources
{
    /// <summary>A cost budget crossed a threshold (actual or forecast spend).</summary>
    public static readonly Guid CostBudget = new("0c057b0d-9e70-4b5e-8a1a-000000000001");

    /// <summary>A day's spend above the same weekday's typical range.</summary>
    public static readonly Guid SpendAnomaly = new("0c057b0d-9e70-4b5e-8a1a-000000000002");

    public static bool IsRuleBased(Guid ruleId) => ruleId != CostBudget && ruleId != SpendAnomaly;
}
