using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.LoadBalancing;

/// <summary>
/// The <c>/lb NAME</c> answer: a load balancer's target groups with healthy/total, and the targets that are not healthy with ELB's
/// reason; without a name, the load balancers in trouble first. Only what the person may see.
/// </summary>
public sealed class LoadBalancerSummaryView(LoadBalancingReads reads)
{
    public const int MaxListed = 10;
    public const int MaxTargetsListed = 5;

    public async Task<string> SummaryAsync(Actor actor, string? name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            var rows = await reads.RowsAsync(actor, new LoadBalancerQuery(), cancellationToken);
            if (rows.Count == 0)
            {
                return "No load balancers that you may see.";
            }

            var lines = new List<string> { Bold($"Load balancers ({rows.Count})") };
            lines.AddRange(rows.OrderByDescending(r => r.InTrouble).ThenBy(r => r.LoadBalancer.Name, StringComparer.OrdinalIgnoreCase).Take(MaxListed)
                .Select(r => (r.InTrouble ? "⚠️ " : "✅ ") + Escape($"{r.LoadBalancer.Name} ({r.LoadBalancer.Scope.Region}): {r.Healthy}/{r.Targets} healthy")
                    + (r.GroupsWithoutHealthy > 0 ? Escape($", {r.GroupsWithoutHealthy} group(s) without healthy targets") : string.Empty)));
            if (rows.Count > MaxListed)
            {
                lines.Add(Escape($"… and {rows.Count - MaxListed} more. /lb NAME for one of them."));
            }

            return string.Join("\n", lines);
        }

        var found = await reads.SearchAsync(actor, name, 3, cancellationToken);
        if (found.Count == 0)
        {
            return $"No load balancer named {Code(name.Trim())} that you may see.";
        }

        return string.Join("\n\n", found.Select(Describe));
    }

    private static string Describe(LoadBalancerDetail detail)
    {
        var lb = detail.LoadBalancer;
        var lines = new List<string>
        {
            Bold(lb.Name) + Escape($" · {lb.KindLabel} · {lb.Scheme} · {lb.Scope}"),
            Code(lb.DnsName ?? "(no DNS name)"),
        };
        if (detail.TargetGroups.Count == 0)
        {
            lines.Add("No target groups that you may see.");
        }

        foreach (var g in detail.TargetGroups)
        {
            var mark = g.HasNoHealthyTargets ? "🔴" : g.Unhealthy > 0 ? "🟠" : "🟢";
            lines.Add($"{mark} {Bold(g.Name)}" + Escape($": {g.Healthy}/{g.Targets.Count} healthy" + (g.Draining > 0 ? $", {g.Draining} draining" : string.Empty)
                + (g.HasNoHealthyTargets ? " — no healthy targets" : string.Empty)));
            var notHealthy = g.Targets.Where(t => t.State != TargetHealthState.Healthy).ToList();
            lines.AddRange(notHealthy.Take(MaxTargetsListed).Select(t => Escape($"   • {t.TargetId} {t.Describe()}")));
            if (notHealthy.Count > MaxTargetsListed)
            {
                lines.Add(Escape($"   … and {notHealthy.Count - MaxTargetsListed} more"));
            }
        }

        return string.Join("\n", lines);
    }
}
