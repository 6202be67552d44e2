using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Compliance;

/// <summary>What asking for an exception gave: the problems by field (nothing was asked), or the pipeline's answer.</summary>
public sealed record ExceptionRequestResult(IReadOnlyDictionary<string, string> Problems, ActionResult? Result)
{
    public bool Asked => Result is not null;
}

/// <summary>
/// Asking for an exception, from a page or a chat: the draft is checked field by field, the findings it covers now (within the
/// person's sight) become the request's targets, and the request goes through the action pipeline, waiting for the approval rule
/// <see cref="ComplianceOptions.ExceptionApprovalRule"/>. The pipeline authorizes (Approver and a scope over every target) and audits.
/// </summary>
public sealed class ExceptionRequests(IFindingStore findings, ActionPipeline pipeline, IOptions<ComplianceOptions> options, TimeProvider clock)
{
    public async Task<ExceptionRequestResult> RequestAsync(Actor actor, ExceptionDraft draft, CancellationToken cancellationToken = default)
    {
        var problems = draft.Problems(clock.GetUtcNow());
        if (problems.Count > 0)
        {
            return new ExceptionRequestResult(problems, null);
        }

        var visibleTo = Authorizer.ReadScopeOf(actor);
        IReadOnlyList<Finding> covered;
        if (draft.FindingId is { } id)
        {
            covered = await findings.FindAsync(id, visibleTo, cancellationToken) is { } f && f.PolicyId == draft.PolicyId!.Trim() ? [f] : [];
        }
        else
        {
            // Every unresolved finding the selector covers becomes a target; one the person may not see refuses the whole exception.
            covered = (await findings.ForPoliciesAsync([draft.PolicyId!.Trim()], cancellationToken))
                .Where(f => f.Status != FindingStatus.Resolved && draft.Covers(f)).ToList();
        }

        covered = covered.Where(f => f.Status != FindingStatus.Resolved).ToList();
        if (covered.Any(f => !visibleTo.Covers(f.Footprint)))
        {
            // Said without naming them: the person may not see those resources.
            return new ExceptionRequestResult(new Dictionary<string, string> { [ExceptionDraft.TargetField] = "The tag also covers findings outside your scopes: narrow it (a tag value), or ask someone whose scopes cover them." }, null);
        }

        if (covered.Count == 0)
        {
            return new ExceptionRequestResult(new Dictionary<string, string> { [ExceptionDraft.TargetField] = "No unresolved finding you may see matches: there is nothing to except." }, null);
        }

        var targets = covered.Select(f => new InstanceRef(f.AccountId, f.Region, f.ResourceId)).Distinct().ToList();
        var rule = options.Value.ExceptionApprovalRule;
        var request = new ActionRequest(ActionKind.GrantException, targets, $"Exception: {draft.Describe()} — {draft.Reason!.Trim()}")
        {
            Parameters = draft.ToParameters(actor.Name),
            RequireApproval = string.IsNullOrWhiteSpace(rule) ? null : rule,
        };
        return new ExceptionRequestResult(new Dictionary<string, string>(), await pipeline.SubmitAsync(actor, request, cancellationToken));
    }
}
