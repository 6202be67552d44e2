using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance;

public enum FindingStatus
{
    Open,

    /// <summary>Covered by an active exception (waiver) until it expires.</summary>
    Waived,
    Resolved,
}

/// <summary>One step in a finding's life, shown on its page.</summary>
public sealed record FindingEvent(DateTimeOffset At, string What);

/// <summary>
/// A resource violating a policy, followed across scans: first seen, last seen, resolved when a scan no longer sees the
/// violation, reopened when it comes back. One finding per policy × resource, ever (<see cref="Key"/>).
/// </summary>
public sealed class Finding
{
    private readonly List<FindingEvent> history = [];

    private Finding()
    {
    }

    public Guid Id { get; private set; }

    public string Key { get; private set; } = string.Empty;

    public string PolicyId { get; private set; } = string.Empty;

    public Severity Severity { get; private set; }

    public ResourceType ResourceType { get; private set; }

    public string AccountId { get; private set; } = string.Empty;

    public string Region { get; private set; } = string.Empty;

    public string ResourceId { get; private set; } = string.Empty;

    public string ResourceName { get; private set; } = string.Empty;

    public IReadOnlyDictionary<string, string> Tags { get; private set; } = new Dictionary<string, string>();

    public string? Owner { get; private set; }

    public string Evidence { get; private set; } = string.Empty;

    public FindingStatus Status { get; private set; }

    public DateTimeOffset FirstSeen { get; private set; }

    public DateTimeOffset LastSeen { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public int TimesReopened { get; private set; }

    /// <summary>The exception covering it while <see cref="FindingStatus.Waived"/>.</summary>
    public Guid? WaiverId { get; private set; }

    public IReadOnlyList<FindingEvent> History => history;

    public CloudScope Scope => new(AccountId, Region);

    public Footprint Footprint => Footprint.Of(AccountId, Region, Tags);

    public static string KeyOf(string policyId, string resourceKey) => $"{policyId}|{resourceKey}";

    public static Finding Open(Violation violation, DateTimeOffset now)
    {
        var r = violation.Resource;
        var f = new Finding
        {
            Id = Guid.NewGuid(),
            Key = violation.FindingKey,
            PolicyId = violation.Policy.Id,
            ResourceType = r.Type,
            AccountId = r.Scope.AccountId,
            Region = r.Scope.Region,
            ResourceId = r.Id,
            FirstSeen = now,
            Status = FindingStatus.Open,
        };
        f.Refresh(violation, now);
        f.history.Add(new FindingEvent(now, $"Opened: {violation.Evidence}"));
        return f;
    }

    /// <summary>Rebuilds a stored finding.</summary>
    public static Finding Restore(
        Guid id, string policyId, Severity severity, ResourceType type, CloudScope scope, string resourceId, string resourceName,
        IReadOnlyDictionary<string, string> tags, string? owner, string evidence, FindingStatus status, DateTimeOffset firstSeen,
        DateTimeOffset lastSeen, DateTimeOffset? resolvedAt, int timesReopened, Guid? waiverId, IEnumerable<FindingEvent> events)
    {
        var f = new Finding
        {
            Id = id,
            PolicyId = policyId,
            Severity = severity,
            ResourceType = type,
            AccountId = scope.AccountId,
            Region = scope.Region,
            ResourceId = resourceId,
            ResourceName = resourceName,
            Tags = tags,
            Owner = owner,
            Evidence = evidence,
            Status = status,
            FirstSeen = firstSeen,
            LastSeen = lastSeen,
            ResolvedAt = resolvedAt,
            TimesReopened = timesReopened,
            WaiverId = waiverId,
            Key = KeyOf(policyId, $"{type.Name()}/{scope.AccountId}/{scope.Region}/{resourceId}"),
        };
        f.history.AddRange(events);
        return f;
    }

    /// <summary>The scan saw the violation again. Returns true when this reopened a resolved finding.</summary>
    public bool Seen(Violation violation, DateTimeOffset now)
    {
        Refresh(violation, now);
        if (Status != FindingStatus.Resolved)
        {
            return false;
        }

        Status = FindingStatus.Open;
        ResolvedAt = null;
        TimesReopened++;
        history.Add(new FindingEvent(now, $"Reopened: {violation.Evidence}"));
        return true;
    }

    /// <summary>The scan no longer saw the violation.</summary>
    public void Resolve(DateTimeOffset now)
    {
        if (Status == FindingStatus.Resolved)
        {
            return;
        }

        Status = FindingStatus.Resolved;
        ResolvedAt = now;
        WaiverId = null;
        history.Add(new FindingEvent(now, "Resolved: no longer seen by the scan"));
    }

    public void Waive(Waiver waiver, DateTimeOffset now)
    {
        if (Status == FindingStatus.Resolved)
        {
            throw new DomainException("A resolved finding needs no exception.");
        }

        if (Status == FindingStatus.Waived && WaiverId == waiver.Id)
        {
            return;
        }

        Status = FindingStatus.Waived;
        WaiverId = waiver.Id;
        history.Add(new FindingEvent(now, $"Excepted until {waiver.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {waiver.GrantedBy}: {waiver.Reason}"));
    }

    /// <summary>The exception covering it expired or was withdrawn: the finding is open again.</summary>
    public void WaiverLapsed(DateTimeOffset now)
    {
        if (Status != FindingStatus.Waived)
        {
            return;
        }

        Status = FindingStatus.Open;
        WaiverId = null;
        TimesReopened++;
        history.Add(new FindingEvent(now, "Reopened: its exception expired"));
    }

    private void Refresh(Violation violation, DateTimeOffset now)
    {
        LastSeen = now;
        Severity = violation.Policy.Severity;
        Evidence = violation.Evidence;
        ResourceName = violation.Resource.Name;
        Tags = violation.Resource.Tags;
        Owner = violation.Resource.Owner;
    }
}
