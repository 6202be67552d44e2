using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Launch templates in memory, names unique regardless of case, as the database keeps them.</summary>
public sealed class InMemoryTemplateStore : ILaunchTemplateStore
{
    private readonly ConcurrentDictionary<Guid, LaunchTemplate> _templates = new();

    public IReadOnlyList<LaunchTemplate> All => _templates.Values.ToList();

    public Task<IReadOnlyList<LaunchTemplate>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LaunchTemplate>>(_templates.Values.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList());

    public Task<LaunchTemplate?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(_templates.GetValueOrDefault(id));

    public Task SaveAsync(LaunchTemplate template, CancellationToken cancellationToken = default)
    {
        if (_templates.Values.Any(t => t.Id != template.Id && string.Equals(t.Name, template.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DomainException($"A template called '{template.Name}' exists already.");
        }

        _templates[template.Id] = template;
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(_templates.TryRemove(id, out _));
}

public sealed class FixedTagGovernance(params string[] required) : ITagGovernance
{
    public IReadOnlyList<string> RequiredTagKeys { get; } = required;
}
