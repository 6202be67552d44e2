using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Fakes;

/// <summary>An inventory over a fixed list of instances.</summary>
internal sealed class FakeInventory(IEnumerable<Instance> instances) : IInventory
{
    private readonly List<Instance> _instances = instances.ToList();

    /// <summary>Changes an instance behind the portal's back (tags edited in the console, say).</summary>
    public void Replace(Instance instance) => _instances[_instances.FindIndex(i => i.Ref == instance.Ref)] = instance;

    public Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(query.Apply(_instances));

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default) =>
        Task.FromResult(_instances.FirstOrDefault(i => i.Ref == instance));

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(FleetSummary.Of(_instances, visibleTo));
}
