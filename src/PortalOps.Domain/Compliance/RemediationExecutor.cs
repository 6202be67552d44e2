using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// Applies a policy's remediation through the action pipeline, to the exact resources the approved request names. At execution
/// each account × region is read again and the policy evaluated afresh: only resources that still match are changed, the rest are
/// reported and left alone, and anything that started matching since is not in the request, so it waits for a new one.
/// </summary>
public sealed class RemediationExecutor(IComplianceSource source, IPolicySource policies, IRemediator remediator, ITagGovernance tags, TimeProvider clock) : IActionExecutor
{
    public const string PolicyParameter = "policy";

    private readonly Dictionary<CloudScope, IReadOnlyList<ComplianceResource>> read = [];

    public bool CanExecute(ActionKind kind) => kind == ActionKind.Remediate;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        var resources = await ReadAsync(new CloudScope(target.AccountId, target.Region), fresh: false, cancellationToken).ConfigureAwait(false);
        var found = resources.FirstOrDefault(r => r.Id == target.InstanceId && r.Type != ResourceType.RegionSetting) ?? resources.FirstOrDefault(r => r.Id == target.InstanceId);
        return found is null ? null : new ResolvedTarget(target, found.Name, found.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(parameters, cancellationToken).ConfigureAwait(false);
        if (policy?.Remediation is not { } remediation)
        {
            return new ActionExecution(false, $"Policy {parameters.GetValueOrDefault(PolicyParameter)} does not exist or has no remediation.", null);
        }

        if (targets.Count > policy.MaxResources)
        {
            return new ActionExecution(false, $"Refused: {targets.Count} resources exceed the policy's max-resources of {policy.MaxResources}.", null);
        }

        var context = new EvaluationContext(clock.GetUtcNow(), tags.RequiredTagKeys);
        var changed = new List<string>();
        var skipped = new List<string>();
        var failures = new List<string>();
        var requestIds = new List<string>();
        foreach (var group in targets.GroupBy(t => new CloudScope(t.Ref.AccountId, t.Ref.Region)))
        {
            var resources = (await ReadAsync(group.Key, fresh: true, cancellationToken).ConfigureAwait(false))
                .Where(r => r.Type == policy.Resource).ToDictionary(r => r.Id, StringComparer.Ordinal);
            foreach (var target in group)
            {
                var id = target.Ref.InstanceId;
                if (!resources.TryGetValue(id, out var resource) || policy.Match(resource, context) is null)
                {
                    skipped.Add(id);
                    continue;
                }

                try
                {
                    if (await remediator.ApplyAsync(remediation, resource, tags.RequiredTagKeys, cancellationToken).ConfigureAwait(false) is { } requestId)
                    {
                        requestIds.Add(requestId);
                    }

                    changed.Add(id);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Add($"{id}: {e.Message}");
                }
            }
        }

        var summary = $"{remediation.Description}: changed {changed.Count}"
            + (skipped.Count > 0 ? $"; {skipped.Count} no longer matched and were left alone ({string.Join(", ", skipped)})" : string.Empty)
            + (failures.Count > 0 ? $"; failed: {string.Join("; ", failures)}" : string.Empty);
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds.Distinct()))
        {
            PartlySucceeded = failures.Count > 0 && changed.Count > 0,
        };
    }

    private async Task<Policy?> PolicyAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken) =>
        parameters.TryGetValue(PolicyParameter, out var id)
            ? (await policies.CurrentAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Id == id)
            : null;

    private async Task<IReadOnlyList<ComplianceResource>> ReadAsync(CloudScope scope, bool fresh, CancellationToken cancellationToken)
    {
        if (fresh || !read.TryGetValue(scope, out var resources))
        {
            read[scope] = resources = await source.ReadAsync(scope, cancellationToken).ConfigureAwait(false);
        }

        return resources;
    }
}
