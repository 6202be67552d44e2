using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>A fleet over a list; filtering and paging as the real inventory does them (<see cref="InstanceQuery.Apply"/>). Remembers every query.</summary>
public sealed class FakeInventory : IInventory
{
    private readonly List<Instance> _fleet = [];
    private readonly List<InstanceQuery> _queries = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<InstanceQuery> Queries
    {
        get
        {
            lock (_gate)
            {
                return _queries.ToList();
            }
        }
    }

    public void Add(params Instance[] instances)
    {
        lock (_gate)
        {
            _fleet.AddRange(instances);
        }
    }

    public Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _queries.Add(query);
            return Task.FromResult(query.Apply(_fleet));
        }
    }

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_fleet.FirstOrDefault(i => i.Ref == instance));
        }
    }

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(FleetSummary.Of(_fleet, visibleTo));
        }
    }
}
