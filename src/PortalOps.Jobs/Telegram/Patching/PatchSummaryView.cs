using System.Globalization;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Patching;

/// <summary>The <c>/patch</c> answer: compliance by account, offline agents and the latest runs, only within the person's scope.</summary>
public sealed class PatchSummaryView(IPatchComplianceSummary compliance, IPatchStateStore states, IPatchRunStore runs, TimeProvider clock)
{
    public async Task<string> SummaryAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var scope = Authorizer.ReadScopeOf(actor);
        var byAccount = await compliance.SummarizeAsync(scope, PatchComplianceDimension.Account, cancellationToken);
        if (byAccount.Count == 0)
        {
            return "No patch state to show yet (the scan has not run, or none of your instances is scanned).";
        }

        var lines = new List<string> { Bold("Patch compliance") };
        foreach (var r in byAccount.Take(10))
        {
            lines.Add(Escape($"{r.Key}: {r.Compliant}/{r.Total} compliant · {r.Critical} critical · {r.Security} security · {r.Other} other · {r.Unknown} unknown"));
        }

        var offline = await states.QueryAsync(new PatchStateQuery(scope) { AgentOnline = false, PageSize = 1, Now = clock.GetUtcNow() }, cancellationToken);
        lines.Add(Escape($"{offline.TotalCount} instance(s) without an online agent."));
        var recent = await runs.QueryAsync(scope, 0, 3, cancellationToken);
        if (recent.Items.Count > 0)
        {
            lines.Add(Bold("Latest runs"));
            lines.AddRange(recent.Items.Select(run => Escape($"{run.CreatedAt.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)} {run.GroupName}: {run.Status} · {run.Progress()}")));
        }

        return string.Join("\n", lines);
    }
}
