using System.Globalization;
using System.Text;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Telegram.Buttons;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Compliance;

/// <summary>
/// The bot's compliance screens: <c>/compliance</c> (the latest score within the person's scopes, the worst policies as buttons), a
/// policy's open findings with Remediate and Grant exception buttons, and those two presses, which go through the action pipeline
/// exactly as on the web (remediation plans the one resource; an exception lasts <see cref="ExceptionDays"/> days, owned by the presser).
/// </summary>
public sealed class ComplianceTelegram(
    IFindingStore findings,
    IPolicySource policies,
    RemediationPlanner planner,
    ActionPipeline pipeline,
    ExceptionRequests exceptions,
    TimeProvider clock)
{
    public const int WorstShown = 5;
    public const int FindingsShown = 5;
    public const int ExceptionDays = 30;

    /// <summary>The score and the worst policies (buttons on <paramref name="keyboard"/>).</summary>
    public async Task<string> SummaryAsync(Actor actor, Keyboard keyboard, CancellationToken cancellationToken = default)
    {
        var scans = (await findings.ScansAsync(clock.GetUtcNow().AddDays(-30), Authorizer.ReadScopeOf(actor), cancellationToken))
            .Where(s => s.Tallies.Count > 0).ToList();
        if (scans.Count == 0)
        {
            return "No compliance scan covers your accounts and regions yet.";
        }

        var latest = scans[^1];
        var (_, byPolicy, overall) = ComplianceScore.Of(latest.Tallies);
        var text = new StringBuilder(Bold($"Compliance {overall.Percent.ToString("0.0", CultureInfo.InvariantCulture)}%"))
            .Append(Escape($" — {overall.Violating} of {overall.Evaluated} checks fail · scan {latest.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"));
        if (scans.Count > 1)
        {
            var before = ComplianceScore.Of(scans[0].Tallies).Overall.Percent;
            text.Append(Escape($"\n30 days ago: {before.ToString("0.0", CultureInfo.InvariantCulture)}%"));
        }

        var worst = byPolicy.Where(p => p.Violating > 0).Take(WorstShown).ToList();
        if (worst.Count == 0)
        {
            return text.Append("\n✅ Nothing fails.").ToString();
        }

        text.Append("\n\n").Append(Bold("Worst policies"));
        foreach (var p in worst)
        {
            text.Append('\n').Append(Escape($"• {p.Group}: {p.Violating} failing ({p.Percent.ToString("0.0", CultureInfo.InvariantCulture)}%)"));
            keyboard.Row().Button($"{p.Group} ({p.Violating})", ButtonKind.CompliancePolicy, new ButtonArguments(Filter: p.Group));
        }

        return text.ToString();
    }

    /// <summary>A policy's open findings that the person may see, each with the buttons their role allows.</summary>
    public async Task<string> PolicyAsync(Actor actor, string policyId, Keyboard keyboard, CancellationToken cancellationToken = default)
    {
        var policy = (await policies.CurrentAsync(cancellationToken)).FirstOrDefault(p => p.Id == policyId);
        if (policy is null)
        {
            return $"No policy is called {Code(policyId)}.";
        }

        var page = await findings.QueryAsync(new FindingQuery { PolicyId = policyId, Status = FindingStatus.Open, PageSize = FindingsShown, VisibleTo = Authorizer.ReadScopeOf(actor) }, cancellationToken);
        var text = new StringBuilder(Bold(policy.Title)).Append(Escape($" ({policy.Severity.ToString().ToLowerInvariant()}{(policy.Cis is { } cis ? $", CIS {cis}" : string.Empty)})"))
            .Append(Escape($"\n{page.TotalCount} open finding(s) you can see"));
        if (page.TotalCount > page.Items.Count)
        {
            text.Append(Escape($"; the first {page.Items.Count} here, all on the portal's Compliance page"));
        }

        var mayRemediate = policy.Remediation is not null && actor.IsAtLeast(ActionKind.Remediate.MinimumRole);
        var mayExcept = actor.IsAtLeast(ActionKind.GrantException.MinimumRole);
        foreach (var f in page.Items)
        {
            text.Append('\n').Append(Escape($"• {f.ResourceType.Name()} ")).Append(Code(f.ResourceId))
                .Append(Escape($" {f.ResourceName} ({f.AccountId}/{f.Region}) — {f.Evidence}"));
            if (mayRemediate || mayExcept)
            {
                keyboard.Row();
            }

            if (mayRemediate)
            {
                keyboard.Button($"🔧 Remediate {f.ResourceId}", ButtonKind.RemediateFinding, new ButtonArguments(Finding: f.Id));
            }

            if (mayExcept)
            {
                keyboard.Button($"🕒 Except {f.ResourceId} {ExceptionDays}d", ButtonKind.ExceptFinding, new ButtonArguments(Finding: f.Id));
            }
        }

        if (policy.Remediation is not null && !mayRemediate && !mayExcept)
        {
            text.Append(Escape("\n\nYou are a Viewer: you can look, not act."));
        }

        return text.ToString();
    }

    /// <summary>Plans the finding's one resource and hands the request to the pipeline (which usually waits for approval).</summary>
    public async Task<ActionResult> RemediateAsync(Actor actor, Guid findingId, CancellationToken cancellationToken = default)
    {
        if (await findings.FindAsync(findingId, Authorizer.ReadScopeOf(actor), cancellationToken) is not { } finding)
        {
            return new ActionResult(ActionStatus.NotFound, "That finding is gone or outside your scope.");
        }

        try
        {
            var plan = await planner.PlanAsync(finding.PolicyId, Authorizer.ReadScopeOf(actor), [finding.ResourceId], cancellationToken);
            return await pipeline.SubmitAsync(actor, plan.Request with { Reason = $"{plan.Request.Reason} — asked in Telegram" }, cancellationToken);
        }
        catch (DomainException e)
        {
            return new ActionResult(ActionStatus.Refused, e.Message);
        }
    }

    /// <summary>Asks for a <see cref="ExceptionDays"/>-day exception for the finding, owned by the presser, through the pipeline.</summary>
    public async Task<ActionResult> ExceptAsync(Actor actor, Guid findingId, CancellationToken cancellationToken = default)
    {
        if (await findings.FindAsync(findingId, Authorizer.ReadScopeOf(actor), cancellationToken) is not { } finding)
        {
            return new ActionResult(ActionStatus.NotFound, "That finding is gone or outside your scope.");
        }

        var draft = new ExceptionDraft(finding.PolicyId, finding.Id, null, null, $"Accepted in Telegram by {actor.Name} for {ExceptionDays} days", actor.Name,
            clock.GetUtcNow().AddDays(ExceptionDays));
        var asked = await exceptions.RequestAsync(actor, draft, cancellationToken);
        return asked.Result ?? new ActionResult(ActionStatus.Refused, string.Join(" ", asked.Problems.Values));
    }
}
