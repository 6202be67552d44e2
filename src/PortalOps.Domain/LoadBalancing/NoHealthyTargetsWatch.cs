using System.Collections.Concurrent;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Tells people when a target group is left with no healthy targets: once when it happens (not at every look), rolled up into
/// one message per group of people who would get the same list — Operators and up whose scope covers the group — and once
/// more when it recovers. Remembers what it told in this process (a restart tells again once).
/// </summary>
public sealed class NoHealthyTargetsWatch(LoadBalancingReads reads, IUserStore users, INotifier notifier)
{
    public const int MaxListed = 10;

    private readonly ConcurrentDictionary<string, TargetGroup> told = new(StringComparer.Ordinal);

    /// <summary>Reads every scope afresh and notifies about groups that newly have no healthy targets (and those that recovered). Returns how many are down now.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken = default)
    {
        var views = await reads.ViewsAsync(fresh: true, cancellationToken);
        var down = views.SelectMany(v => v.TargetGroups).Where(g => g.HasNoHealthyTargets).ToList();
        var fresh = down.Where(g => !told.ContainsKey(g.Arn)).ToList();
        var downArns = down.Select(g => g.Arn).ToHashSet(StringComparer.Ordinal);
        var recovered = told.Values.Where(g => !downArns.Contains(g.Arn)).ToList();
        foreach (var g in fresh)
        {
            told[g.Arn] = g;
        }

        foreach (var g in recovered)
        {
            told.TryRemove(g.Arn, out _);
        }

        if (fresh.Count == 0 && recovered.Count == 0)
        {
            return down.Count;
        }

        var people = (await users.ListAsync(cancellationToken)).Where(u => !u.IsDisabled && u.Role >= Role.Operator).ToList();
        await SendAsync(people, fresh, "Load balancing: {0} target group(s) have no healthy targets", g => $"• {g.Name} ({g.Scope}) — {g.Targets.Count} target(s): {string.Join(", ", g.Targets.Take(3).Select(t => $"{t.TargetId} {t.Describe()}"))}", cancellationToken);
        await SendAsync(people, recovered, "Load balancing: {0} target group(s) have healthy targets again", g => $"• {g.Name} ({g.Scope})", cancellationToken);
        return down.Count;
    }

    private async Task SendAsync(IReadOnlyList<PortalUser> people, IReadOnlyList<TargetGroup> groups, string title, Func<TargetGroup, string> line, CancellationToken cancellationToken)
    {
        if (groups.Count == 0)
        {
            return;
        }

        var perPerson = people
            .Select(u => (User: u, Groups: groups.Where(g => Authorizer.MaySee(u.AsActor(Channel.System), g.Scope.AccountId, g.Scope.Region, g.Tags)).ToList()))
            .Where(x => x.Groups.Count > 0)
            .GroupBy(x => string.Join(',', x.Groups.Select(g => g.Arn)));
        foreach (var audience in perPerson)
        {
            var list = audience.First().Groups;
            var more = list.Count > MaxListed ? $"\n… and {list.Count - MaxListed} more on the Load balancing page." : string.Empty;
            await notifier.NotifyAsync(new Notification(NotificationKind.Alert, string.Format(System.Globalization.CultureInfo.InvariantCulture, title, list.Count),
                string.Join('\n', list.Take(MaxListed).Select(line)) + more, audience.Select(x => x.User.Id).ToList()), cancellationToken);
        }
    }
}
