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
    Guid? ApprovalId = null);

/// <summary>Delivers notifications (web inbox, Telegram ...). Implementations never throw for a delivery failure.</summary>
public interface INotifier
{
    Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default);
}

/// <summary>Finds the people who should hear about a request.</summary>
public static class Audience
{
    public static IReadOnlyList<Guid> ApproversFor(IEnumerable<PortalUser> users, Approvals.ApprovalRequest request) =>
        users.Where(u => !u.IsDisabled && u.Role >= Role.Approver && u.Id != request.RequestedBy
                && request.Targets.All(t => u.Scopes.Any(s => s.Covers(t.Ref.AccountId, t.Ref.Region, t.Tags))))
            .Select(u => u.Id)
            .ToList();
}
