using PortalOps.Domain.Common;

namespace PortalOps.Domain.Instances;

/// <summary>Reads the fleet. Filtering, sorting and paging happen behind this port, never in a page.</summary>
public interface IInventory
{
    Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default);

    Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default);

    /// <summary>Counts of the instances one of <paramref name="visibleTo"/> covers (a person's view); null counts the whole fleet (jobs).</summary>
    Task<FleetSummary> SummarizeAsync(IReadOnlyList<Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default);
}

/// <summary>Counts of the fleet for the dashboard, terminated instances included (EC2 lists them for a while).</summary>
public sealed record FleetSummary(
    int Total,
    IReadOnlyDictionary<InstanceState, int> ByState,
    IReadOnlyDictionary<string, int> ByRegion)
{
    /// <summary>Counts these instances (those one of <paramref name="visibleTo"/> covers, when given).</summary>
    public static FleetSummary Of(IEnumerable<Instance> fleet, IReadOnlyList<Security.Scope>? visibleTo = null)
    {
        var all = visibleTo is null ? fleet.ToList() : fleet.Where(i => visibleTo.Any(s => s.Covers(i.AccountId, i.Region, i.Tags))).ToList();
        return new FleetSummary(
            all.Count,
            all.GroupBy(i => i.State).ToDictionary(g => g.Key, g => g.Count()),
            all.GroupBy(i => i.Region).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    /// <summary>Instances that are not terminated.</summary>
    public int Live => Total - ByState.GetValueOrDefault(InstanceState.Terminated);
}

public enum InstanceAction
{
    Start,
    Stop,
    Reboot,
    Terminate,

    /// <summary>Stop with the memory saved to the root volume; only for instances launched with hibernation enabled.</summary>
    Hibernate,
}

/// <summary>What happened to one target of a compute call.</summary>
public sealed record TargetResult(InstanceRef Target, bool Succeeded, string? Error = null, InstanceState? NewState = null);

/// <summary>The outcome of a compute call: per target, plus the provider's request id(s) for the audit log.</summary>
public sealed record ComputeResult(IReadOnlyList<TargetResult> Targets, string? RequestId)
{
    public bool AllSucceeded => Targets.All(t => t.Succeeded);
}

/// <summary>Acts on instances. Implementations must be safe to call twice with the same idempotency key.</summary>
public interface ICompute
{
    Task<ComputeResult> ApplyAsync(
        InstanceAction action,
        IReadOnlyList<InstanceRef> targets,
        string idempotencyKey,
        CancellationToken cancellationToken = default);
}

/// <summary>Tells listeners (open pages) that instances changed, so they can refresh without a reload.</summary>
public interface IFleetEvents
{
    IDisposable Subscribe(Action<InstanceRef> onChanged);

    void Publish(InstanceRef changed);
}
