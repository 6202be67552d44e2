using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>
/// Setting, listing and removing maintenance windows for a person. A window silences alerts, so the Authorizer asks for an
/// Operator whose scope covers everything the window silences, when it is set and when it is removed; a person lists only the
/// windows they may see. Every change and refusal is audited.
/// </summary>
public sealed class MaintenanceWindows(IMaintenanceWindowStore store, IInventory inventory, IAuditLog audit, TimeProvider clock)
{
    /// <summary>Current and coming windows whose scope lies within one of the person's scopes.</summary>
    public async Task<IReadOnlyList<MaintenanceWindow>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var visible = new List<MaintenanceWindow>();
        foreach (var window in await store.ListAsync(clock.GetUtcNow(), cancellationToken))
        {
            if (Authorizer.MaySee(actor, await FootprintAsync(window.Scope, cancellationToken)))
            {
                visible.Add(window);
            }
        }

        return visible;
    }

    /// <summary>Sets a window; throws <see cref="DomainException"/> with a message for the person when it may not be set.</summary>
    public async Task<MaintenanceWindow> AddAsync(Actor actor, string? name, RuleScope scope, Guid? ruleId, DateTimeOffset startsAt, DateTimeOffset endsAt, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var window = MaintenanceWindow.Create(name, scope, ruleId, startsAt, endsAt, actor, now);
        var footprint = await FootprintAsync(window.Scope, cancellationToken);
        var decision = Authorizer.AuthorizeMaintenance(actor, footprint);
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "maintenance.add", $"maintenance:{window.Scope}", AuditOutcome.Denied, decision.Reason) { Where = footprint }, cancellationToken);
            throw new DomainException(decision.Reason!);
        }

        await store.AddAsync(window, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "maintenance.add", $"maintenance:{window.Id}", AuditOutcome.Succeeded,
            $"{window.Name}: {window.Scope}, {window.StartsAt:yyyy-MM-dd HH:mm}–{window.EndsAt:HH:mm} UTC") { Where = footprint }, cancellationToken);
        return window;
    }

    /// <summary>Removes a window the person may remove; returns a problem to show, or null when done.</summary>
    public async Task<string?> DeleteAsync(Actor actor, Guid id, CancellationToken cancellationToken = default)
    {
        var target = $"maintenance:{id}";
        var window = (await store.ListAsync(clock.GetUtcNow(), cancellationToken)).FirstOrDefault(w => w.Id == id);
        var footprint = window is null ? null : await FootprintAsync(window.Scope, cancellationToken);
        var decision = window is null ? AuthorizationDecision.Deny("No such maintenance window.") : Authorizer.AuthorizeMaintenance(actor, footprint);
        if (!decision.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "maintenance.delete", target, AuditOutcome.Denied, decision.Reason) { Where = footprint }, cancellationToken);
            return decision.Reason;
        }

        if (await store.DeleteAsync(id, cancellationToken))
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "maintenance.delete", target, AuditOutcome.Succeeded, window!.Name) { Where = footprint }, cancellationToken);
        }

        return null;
    }

    /// <summary>What a window's scope covers; an instance scope is looked up (null when no such instance is known).</summary>
    private async Task<Footprint?> FootprintAsync(RuleScope scope, CancellationToken cancellationToken)
    {
        if (scope.Kind != ScopeKind.Instance)
        {
            return scope.Footprint();
        }

        var page = await inventory.QueryAsync(new InstanceQuery { Text = scope.Value, PageSize = 50 }, cancellationToken);
        return scope.Footprint(page.Items.FirstOrDefault(i => string.Equals(i.InstanceId, scope.Value, StringComparison.Ordinal)));
    }
}
