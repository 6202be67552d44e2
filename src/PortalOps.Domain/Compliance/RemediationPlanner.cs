using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance;

/// <summary>A remediation plan: the exact resources that match now (those the person may see), as the request to approve.</summary>
public sealed record RemediationPlan(Policy Policy, IReadOnlyList<ComplianceResource> Resources, ActionRequest Request);

/// <summary>
/// Plans a remediation: reads the accounts × regions, lists what matches the policy now, and refuses when that is more than the
/// policy's max-resources — before anything is asked or changed. The request it makes names those resources and waits for approval.
/// </summary>
public sealed class RemediationPlanner(IComplianceSource source, ICloudProvider cloud, IPolicySource policies, ITagGovernance tags, TimeProvider clock)
{
    public const string ApprovalName = "compliance remediation";

    public async Task<RemediationPlan> PlanAsync(string policyId, ReadScope visibleTo, IReadOnlyCollection<string>? onlyResourceIds = null, CancellationToken cancellationToken = default)
    {
        var policy = (await policies.CurrentAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Id == policyId)
            ?? throw new DomainException($"Policy {policyId} does not exist.");
        if (policy.Remediation is null)
        {
            throw new DomainException($"Policy {policyId} has no remediation.");
        }

        var scopes = cloud.Accounts.SelectMany(a => a.Regions.Select(r => new CloudScope(a.Id, r)));
        var context = new EvaluationContext(clock.GetUtcNow(), tags.RequiredTagKeys);
        var matches = new List<ComplianceResource>();
        foreach (var scope in scopes)
        {
            foreach (var resource in await source.ReadAsync(scope, cancellationToken).ConfigureAwait(false))
            {
                if ((onlyResourceIds is null || onlyResourceIds.Contains(resource.Id)) && visibleTo.Covers(resource.Footprint) && policy.Match(resource, context) is not null)
                {
                    matches.Add(resource);
                }
            }
        }

        if (matches.Count == 0)
        {
            throw new DomainException($"Nothing matches {policyId} now: nothing to remediate.");
        }

        if (matches.Count > policy.MaxResources)
        {
            throw new DomainException($"{matches.Count} resources match {policyId}, more than its max-resources of {policy.MaxResources}: refused. Narrow the policy or raise the limit.");
        }

        var request = new ActionRequest(ActionKind.Remediate, matches.Select(m => new InstanceRef(m.Scope.AccountId, m.Scope.Region, m.Id)).ToList(), $"{policy.Remediation.Description} ({policy.Id})")
        {
            Parameters = new Dictionary<string, string> { [RemediationExecutor.PolicyParameter] = policy.Id },
            RequireApproval = ApprovalName,
        };
        return new RemediationPlan(policy, matches, request);
    }
}
