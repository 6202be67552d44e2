using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Compliance;

/// <summary>
/// Editing the policies for a person. A policy judges resources in every account, so only <see cref="EditorRole"/> may save,
/// import, switch on or off; anyone signed in may read them and try a dry run. Each save is a new version with its author; every
/// save, switch, import and refusal is audited. A dry run lists only the matches the person may see.
/// </summary>
public sealed class PolicyEditor(PolicyCatalog catalog, IAuditLog audit)
{
    public const Role EditorRole = Role.Admin;

    public static bool MayEdit(Actor actor) => Authorizer.AuthorizeRole(actor, EditorRole, "editing compliance policies").Allowed;

    public Task<IReadOnlyList<PolicyEntry>> ListAsync(CancellationToken cancellationToken = default) => catalog.ListAsync(cancellationToken);

    public Task<IReadOnlyList<PolicyVersion>> VersionsAsync(string policyId, CancellationToken cancellationToken = default) => catalog.VersionsAsync(policyId, cancellationToken);

    /// <summary>What the document would match now, limited to what <paramref name="actor"/> may see; nothing is saved.</summary>
    public async Task<DryRun> DryRunAsync(Actor actor, string yaml, CancellationToken cancellationToken = default)
    {
        var run = await catalog.DryRunAsync(yaml, cancellationToken);
        var visibleTo = Authorizer.ReadScopeOf(actor);
        return run with { Matches = run.Matches.Where(m => visibleTo.Covers(m.Resource.Footprint)).ToList() };
    }

    /// <summary>Saves the document as the policy's next version, or returns its errors with their lines (nothing saved).</summary>
    public async Task<PolicySave> SaveAsync(Actor actor, string yaml, CancellationToken cancellationToken = default)
    {
        await RefuseUnlessEditorAsync(actor, "compliance.policy.save", "policy", "saving compliance policies", cancellationToken);
        var saved = await catalog.SaveAsync(yaml, actor.Name, cancellationToken);
        if (saved.Saved is { } v)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "compliance.policy.save", $"policy:{v.PolicyId}", AuditOutcome.Succeeded, $"Saved version {v.Version}."), cancellationToken);
        }

        return saved;
    }

    public async Task SetEnabledAsync(Actor actor, string policyId, bool enabled, CancellationToken cancellationToken = default)
    {
        await RefuseUnlessEditorAsync(actor, "compliance.policy.enable", $"policy:{policyId}", "switching compliance policies on or off", cancellationToken);
        if ((await catalog.ListAsync(cancellationToken)).All(e => e.Policy.Id != policyId))
        {
            throw new DomainException($"Policy {policyId} does not exist.");
        }

        await catalog.SetEnabledAsync(policyId, enabled, actor.Name, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "compliance.policy.enable", $"policy:{policyId}", AuditOutcome.Succeeded, enabled ? "Switched on." : "Switched off."), cancellationToken);
    }

    /// <summary>Imports YAML files; each is read on its own and saved only when it reads. Returns the errors by file.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<PolicyError>>> ImportAsync(Actor actor, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken = default)
    {
        await RefuseUnlessEditorAsync(actor, "compliance.policy.import", "policy", "importing compliance policies", cancellationToken);
        var errors = await catalog.ImportAsync(files, actor.Name, cancellationToken);
        var saved = files.Keys.Where(k => !errors.ContainsKey(k)).ToList();
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "compliance.policy.import", "policy", errors.Count == 0 ? AuditOutcome.Succeeded : AuditOutcome.Failed,
            $"Imported {saved.Count} of {files.Count} file(s){(errors.Count == 0 ? string.Empty : $"; refused: {string.Join(", ", errors.Keys)}")}."), cancellationToken);
        return errors;
    }

    public Task<IReadOnlyDictionary<string, string>> ExportAsync(CancellationToken cancellationToken = default) => catalog.ExportAsync(cancellationToken);

    private async Task RefuseUnlessEditorAsync(Actor actor, string action, string target, string what, CancellationToken cancellationToken)
    {
        var decision = Authorizer.AuthorizeRole(actor, EditorRole, what);
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, decision.Reason), cancellationToken);
            throw new DomainException(decision.Reason!);
        }
    }
}
