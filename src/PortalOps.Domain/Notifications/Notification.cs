using PortalOps.Domain.Security;

namespace PortalOps.Domain.Notifications;

public enum NotificationKind
{
    ApprovalRequested,
    ApprovalDecided,
    ActionCompleted,
    Alert,
}

/// <summary>A message for people: to named users, or to everyone with at least a role whose scope covers the subject.</summary>
public sealed record Notification(
    NotificationKind Kind,
    string Title,
    string Body,
    IReadOnlyList<Guid> Recipients,
    Guid? ApprovalId = null)
{
    /// <summary>The alert this notification is about. Channels keep one message per alert and person, and update it.</summary>
    public Guid? AlertId { get; init; }
}

/// <summary>Delivers notifications (web inbox, Telegram ...). Implementations never throw for a delivery failure.</summary>
public interface INotifier
{
    Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default);
}

/// <summary>Finds the people who should hear about a request.</summary>
public static class Audience
{
    public static IReadOnlyList<Guid> ApproversFor(IEnumerable<PortalUser> users, Approvals.ApprovalRequest request) =>
        users.Where(u => !u.IsDisabled && Actions.Authorizer.AuthorizeDecision(u.AsActor(Common.Channel.System), request).Allowed)
            .Select(u => u.Id)
            .ToList();

    /// <summary>
    /// People who hear about an alert: the rule's named people, and everyone with at least the rule's role, who may see the alert's
    /// instances — the Authorizer's rule for seeing the alert itself (a named person also needs that scope: nobody hears about what
    /// they may not see).
    /// </summary>
    public static IReadOnlyList<Guid> ForAlert(IEnumerable<PortalUser> users, Monitoring.AlertRecipients recipients, IReadOnlyList<Monitoring.AlertMember> members, IReadOnlyDictionary<Instances.InstanceRef, IReadOnlyDictionary<string, string>> tags)
    {
        var footprint = Footprint.Common(members.Select(m => Footprint.Of(m.Instance.AccountId, m.Instance.Region, tags.GetValueOrDefault(m.Instance) ?? m.Tags)));
        return users.Where(u => !u.IsDisabled
                && (recipients.Users.Contains(u.Id) || (recipients.MinimumRole is { } role && u.Role >= role))
                && Actions.Authorizer.MaySee(u.AsActor(Common.Channel.System), footprint))
            .Select(u => u.Id)
            .ToList();
    }
}
