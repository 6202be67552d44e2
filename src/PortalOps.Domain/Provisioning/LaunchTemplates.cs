using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Provisioning;

/// <summary>A saved wizard configuration, launched again in one click.</summary>
public sealed record LaunchTemplate(Guid Id, string Name, LaunchSpec Spec, string UpdatedBy, DateTimeOffset UpdatedAt, int Version = 0);

/// <summary>Stores launch templates; names are unique (case-insensitive).</summary>
public interface ILaunchTemplateStore
{
    Task<IReadOnlyList<LaunchTemplate>> ListAsync(CancellationToken cancellationToken = default);

    Task<LaunchTemplate?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Adds the template or replaces the one with its id. Throws <see cref="DomainException"/> when another template has its name.</summary>
    Task SaveAsync(LaunchTemplate template, CancellationToken cancellationToken = default);

    /// <summary>False when there was no such template.</summary>
    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default);
}

/// <summary>Saves, renames and deletes launch templates for Operators, with an audit record for each change.</summary>
public sealed class LaunchTemplates(ILaunchTemplateStore store, IAuditLog audit, TimeProvider clock)
{
    public Task<IReadOnlyList<LaunchTemplate>> ListAsync(CancellationToken cancellationToken = default) => store.ListAsync(cancellationToken);

    public Task<LaunchTemplate?> FindAsync(Guid id, CancellationToken cancellationToken = default) => store.FindAsync(id, cancellationToken);

    /// <summary>Saves <paramref name="spec"/> under <paramref name="name"/> (a new template when <paramref name="id"/> is null).</summary>
    public async Task<LaunchTemplate> SaveAsync(Actor actor, Guid? id, string name, LaunchSpec spec, CancellationToken cancellationToken = default)
    {
        RequireOperator(actor);
        name = (name ?? string.Empty).Trim();
        if (name.Length is 0 or > 100)
        {
            throw new DomainException("A template name is 1 to 100 characters.");
        }

        var existing = id is { } known ? await store.FindAsync(known, cancellationToken) : null;
        var template = new LaunchTemplate(existing?.Id ?? Guid.NewGuid(), name, spec with { Count = Math.Max(1, spec.Count) }, actor.Name, clock.GetUtcNow(), (existing?.Version ?? -1) + 1);
        await store.SaveAsync(template, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, existing is null ? "template.create" : "template.update", $"template:{template.Id}", AuditOutcome.Succeeded,
            $"{name}: {spec.InstanceType} {spec.ImageId} in {spec.AccountId}/{spec.AvailabilityZone}"), cancellationToken);
        return template;
    }

    public async Task<bool> DeleteAsync(Actor actor, Guid id, CancellationToken cancellationToken = default)
    {
        RequireOperator(actor);
        var existing = await store.FindAsync(id, cancellationToken);
        var deleted = existing is not null && await store.DeleteAsync(id, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "template.delete", $"template:{id}", deleted ? AuditOutcome.Succeeded : AuditOutcome.Failed,
            deleted ? existing!.Name : "No such template."), cancellationToken);
        return deleted;
    }

    private static void RequireOperator(Actor actor)
    {
        if (!actor.IsAtLeast(Role.Operator))
        {
            throw new DomainException($"{actor.Name} is {actor.Role}; templates need Operator or higher.");
        }
    }
}
