using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

public enum GroupSort
{
    Name,
    Desired,
    Unhealthy,
}

/// <summary>A filter and a page over the groups a person may see.</summary>
public sealed record ScalingGroupQuery(int PageIndex = 0, int PageSize = 25)
{
    public const int MaxPageSize = 500;

    /// <summary>Part of the name (any case).</summary>
    public string? Text { get; init; }

    public string? AccountId { get; init; }

    public string? Region { get; init; }

    /// <summary>Only groups whose in-service count differs from desired, or with unhealthy or pending instances.</summary>
    public bool OnlyUnsettled { get; init; }

    public GroupSort Sort { get; init; } = GroupSort.Name;

    public bool Descending { get; init; }

    /// <summary>Filters to what <paramref name="scope"/> may read, then to the query, sorts and pages.</summary>
    public Page<ScalingGroup> Apply(IEnumerable<ScalingGroup> groups, ReadScope scope)
    {
        var size = Math.Clamp(PageSize, 1, MaxPageSize);
        var index = Math.Max(0, PageIndex);
        var all = Sorted(groups, scope);
        return new Page<ScalingGroup>(all.Skip(index * size).Take(size).ToList(), all.Count, index, size);
    }

    /// <summary>Every group the scope may read that matches, in the query's order.</summary>
    public IReadOnlyList<ScalingGroup> Sorted(IEnumerable<ScalingGroup> groups, ReadScope scope)
    {
        var matching = Filter(groups, scope);
        IOrderedEnumerable<ScalingGroup> sorted = Sort switch
        {
            GroupSort.Desired => Descending ? matching.OrderByDescending(g => g.DesiredCapacity) : matching.OrderBy(g => g.DesiredCapacity),
            GroupSort.Unhealthy => Descending ? matching.OrderByDescending(g => g.Unhealthy) : matching.OrderBy(g => g.Unhealthy),
            _ => Descending ? matching.OrderByDescending(g => g.Name, StringComparer.OrdinalIgnoreCase) : matching.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase),
        };
        return sorted.ThenBy(g => g.Ref.AccountId, StringComparer.Ordinal).ThenBy(g => g.Ref.Region, StringComparer.Ordinal).ToList();
    }

    public IEnumerable<ScalingGroup> Filter(IEnumerable<ScalingGroup> groups, ReadScope scope) =>
        groups.Where(g => scope.Covers(g.Footprint)
            && (string.IsNullOrWhiteSpace(Text) || g.Name.Contains(Text.Trim(), StringComparison.OrdinalIgnoreCase))
            && (string.IsNullOrWhiteSpace(AccountId) || g.Ref.AccountId == AccountId)
            && (string.IsNullOrWhiteSpace(Region) || g.Ref.Region == Region)
            && (!OnlyUnsettled || !g.IsSettled || g.Unhealthy > 0));
}
