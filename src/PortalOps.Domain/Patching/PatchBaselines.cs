using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>
/// Creating and editing baselines for a person. A baseline decides what every instance of its groups installs, in any account, so it
/// is edited by Approvers and above. Each save is a new version; every save and refusal is audited.
/// </summary>
public sealed class PatchBaselines(IPatchCatalog catalog, IAuditLog audit, TimeProvider clock)
{
    public const Role EditorRole = Role.Approver;

    public Task<IReadOnlyList<PatchBaseline>> ListAsync(CancellationToken cancellationToken = default) => catalog.BaselinesAsync(cancellationToken);

    /// <summary>Saves a new baseline (<paramref name="id"/> null) or the next version of one; throws <see cref="PatchBaselineException"/> with field errors or <see cref="DomainException"/>.</summary>
    public async Task<PatchBaseline> SaveAsync(Actor actor, Guid? id, PatchBaselineDraft draft, CancellationToken cancellationToken = default)
    {
        var target = id is { } known ? $"patch-baseline:{known:N}" : $"patch-baseline:{draft.Name}";
        var decision = Authorizer.AuthorizeRole(actor, EditorRole, "editing a patch baseline");
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "patching.baseline", target, AuditOutcome.Denied, decision.Reason), cancellationToken);
            throw new DomainException(decision.Reason!);
        }

        var now = clock.GetUtcNow();
        PatchBaseline saved;
        if (id is null)
        {
            saved = PatchBaseline.Create(draft, actor, now);
        }
        else
        {
            var current = (await catalog.BaselinesAsync(cancellationToken)).FirstOrDefault(b => b.Id == id) ?? throw new DomainException("No such baseline.");
            saved = current.Revise(draft, actor, now);
        }

        await catalog.AddVersionAsync(saved, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "patching.baseline", $"patch-baseline:{saved.Id:N}", AuditOutcome.Succeeded, saved.Describe()), cancellationToken);
        return saved;
    }
}
