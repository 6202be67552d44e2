using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// Rolls a scan's news up into one message per group of people who would get the same list: new high-severity findings go
/// to Operators and up who may see them and to the person named as the resource's owner; an expired exception goes to its
/// owner and to whoever granted it. Nobody hears about a finding the Authorizer would not show them.
/// </summary>
public sealed class ComplianceNotifications(IUserStore users, INotifier notifier) : IComplianceNotifier
{
    public const int MaxListed = 10;

    public async Task NotifyAsync(IReadOnlyList<Finding> newHighSeverity, IReadOnlyList<(Waiver Waiver, IReadOnlyList<Finding> Reopened)> expired, CancellationToken cancellationToken = default)
    {
        var people = (await users.ListAsync(cancellationToken).ConfigureAwait(false)).Where(u => !u.IsDisabled).ToList();

        var perPerson = people
            .Select(u => (User: u, Findings: newHighSeverity.Where(f => MaySee(u, f) && (u.Role >= Role.Operator || Named(u, f.Owner))).ToList()))
            .Where(x => x.Findings.Count > 0)
            .GroupBy(x => string.Join(',', x.Findings.Select(f => f.Id)));
        foreach (var group in perPerson)
        {
            var findings = group.First().Findings;
            var lines = findings.Take(MaxListed).Select(f => $"• [{f.Severity}] {f.PolicyId}: {f.ResourceType.Name()} {f.ResourceId} ({f.AccountId}/{f.Region}) — {f.Evidence}");
            var more = findings.Count > MaxListed ? $"\n… and {findings.Count - MaxListed} more on the Compliance page." : string.Empty;
            await notifier.NotifyAsync(new Notification(NotificationKind.Alert, $"Compliance: {findings.Count} new high-severity finding(s)",
                string.Join('\n', lines) + more, group.Select(x => x.User.Id).ToList()), cancellationToken).ConfigureAwait(false);
        }

        foreach (var (waiver, reopened) in expired)
        {
            var recipients = people.Where(u => (Named(u, waiver.Owner) || Named(u, waiver.GrantedBy)) && reopened.All(f => MaySee(u, f))).Select(u => u.Id).ToList();
            if (recipients.Count == 0)
            {
                continue;
            }

            await notifier.NotifyAsync(new Notification(NotificationKind.Alert, $"Compliance exception expired: {waiver.PolicyId}",
                $"The exception granted by {waiver.GrantedBy} ({waiver.Reason}) expired on {waiver.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC; {reopened.Count} finding(s) are open again.",
                recipients), cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool MaySee(PortalUser user, Finding finding) => Authorizer.MaySee(user.AsActor(Channel.System), finding.Footprint);

    private static bool Named(PortalUser user, string? name) =>
        !string.IsNullOrWhiteSpace(name) && (string.Equals(user.UserName, name, StringComparison.OrdinalIgnoreCase) || string.Equals(user.DisplayName, name, StringComparison.OrdinalIgnoreCase));
}
