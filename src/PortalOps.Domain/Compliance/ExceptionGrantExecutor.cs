using System.Security.Cryptography;
using System.Text;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// Grants an exception through the action pipeline (<see cref="ActionKind.GrantException"/>): the targets are the resources of the
/// findings it covers (so the Authorizer judges their scope), the exception itself is in the parameters. At execution the draft is
/// checked again (an expiry that passed while the request waited for approval is refused), the exception is stored once per
/// idempotency key, and exceptions are applied at once so its findings show as excepted without waiting for the next scan.
/// </summary>
public sealed class ExceptionGrantExecutor(IFindingStore findings, IWaiverStore waivers, ComplianceScanner scanner, TimeProvider clock) : IActionExecutor
{
    private IReadOnlyList<Finding>? unresolved;

    public bool CanExecute(ActionKind kind) => kind == ActionKind.GrantException;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        unresolved ??= await findings.UnresolvedAsync(cancellationToken).ConfigureAwait(false);
        var found = unresolved.FirstOrDefault(f => f.AccountId == target.AccountId && f.Region == target.Region && f.ResourceId == target.InstanceId);
        return found is null ? null : new ResolvedTarget(target, found.ResourceName, found.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (draft, grantedBy) = ExceptionDraft.FromParameters(parameters);
        if (draft.Problems(now) is { Count: > 0 } problems)
        {
            return new ActionExecution(false, $"Refused: {string.Join(" ", problems.Values)}", null);
        }

        var id = IdOf(idempotencyKey);
        if ((await waivers.ListAsync(cancellationToken).ConfigureAwait(false)).All(w => w.Id != id))
        {
            Waiver granted;
            try
            {
                granted = Waiver.Grant(draft.PolicyId!, draft.FindingId, draft.TagKey, draft.TagValue, draft.Reason!, draft.Owner!, draft.ExpiresAt, grantedBy, now);
            }
            catch (DomainException e)
            {
                return new ActionExecution(false, $"Refused: {e.Message}", null);
            }

            await waivers.AddAsync(Waiver.Restore(id, granted.PolicyId, granted.FindingId, granted.TagKey, granted.TagValue, granted.Reason, granted.Owner,
                granted.ExpiresAt, granted.GrantedBy, granted.GrantedAt, null), cancellationToken).ConfigureAwait(false);
        }

        var applied = await scanner.ApplyWaiversAsync(cancellationToken).ConfigureAwait(false);
        var excepted = applied.Changes.Count(c => c.Kind == FindingChangeKind.Waived);
        return new ActionExecution(true, $"Exception granted for {draft.Describe()} until {draft.ExpiresAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC (owner {draft.Owner!.Trim()}); {excepted} finding(s) excepted now.", null);
    }

    /// <summary>The exception's id, derived from the idempotency key so that running the same request twice stores it once.</summary>
    public static Guid IdOf(string idempotencyKey) => new(SHA256.HashData(Encoding.UTF8.GetBytes("compliance-exception:" + idempotencyKey)).AsSpan(0, 16));
}
