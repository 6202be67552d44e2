namespace PortalOps.Domain.Instances;

public enum InstanceSort
{
    Name,
    InstanceId,
    State,
    Type,
    Region,
    LaunchTime,
}

/// <summary>Server-side filter, sort and paging of the fleet.</summary>
public sealed record InstanceQuery
{
    public const int MaxPageSize = 500;

    /// <summary>Free text matched against id, name, type, private IP and tag values (case-insensitive).</summary>
    public string? Text { get; init; }

    public InstanceState? State { get; init; }

    public string? AccountId { get; init; }

    public string? Region { get; init; }

    /// <summary>"key" or "key=value".</summary>
    public string? Tag { get; init; }

    public InstanceSort SortBy { get; init; } = InstanceSort.Name;

    public bool Descending { get; init; }

    public int PageIndex { get; init; }

    public int PageSize { get; init; } = 25;

    /// <summary>When set, only instances that one of these scopes covers (a person's view of the fleet).</summary>
    public IReadOnlyList<Security.Scope>? VisibleTo { get; init; }

    public bool Matches(Instance instance)
    {
        if (VisibleTo is { } scopes && !scopes.Any(s => s.Covers(instance.AccountId, instance.Region, instance.Tags)))
        {
            return false;
        }

        if (State is { } state && instance.State != state)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(AccountId) && instance.AccountId != AccountId)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(Region) && instance.Region != Region)
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(Tag) && !MatchesTag(instance, Tag))
        {
            return false;
        }

        return string.IsNullOrWhiteSpace(Text) || MatchesText(instance, Text.Trim());
    }

    private static bool MatchesTag(Instance instance, string tag)
    {
        var eq = tag.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return instance.Tags.ContainsKey(tag.Trim());
        }

        var key = tag[..eq].Trim();
        var value = tag[(eq + 1)..].Trim();
        return instance.Tags.TryGetValue(key, out var actual) && string.Equals(actual, value, StringComparison.OrdinalIgnoreCase);
    }

    private static bool MatchesText(Instance i, string text) =>
        i.InstanceId.Contains(text, StringComparison.OrdinalIgnoreCase)
        || i.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || i.InstanceType.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (i.PrivateIp?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || i.Tags.Values.Any(v => v.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>Applies filter, sort and paging to an in-memory fleet (sandbox, inventory cache).</summary>
    public Common.Page<Instance> Apply(IEnumerable<Instance> fleet)
    {
        var size = Math.Clamp(PageSize, 1, MaxPageSize);
        var index = Math.Max(0, PageIndex);
        var filtered = fleet.Where(Matches).ToList();
        IEnumerable<Instance> sorted = SortBy switch
        {
            InstanceSort.Name => Order(filtered, i => i.Name),
            InstanceSort.InstanceId => Order(filtered, i => i.InstanceId),
            InstanceSort.State => Order(filtered, i => i.State.ToString()),
            InstanceSort.Type => Order(filtered, i => i.InstanceType),
            InstanceSort.Region => Order(filtered, i => i.Region),
            InstanceSort.LaunchTime => Descending
                ? filtered.OrderByDescending(i => i.LaunchTime).ThenBy(i => i.InstanceId, StringComparer.Ordinal)
                : filtered.OrderBy(i => i.LaunchTime).ThenBy(i => i.InstanceId, StringComparer.Ordinal),
            _ => filtered,
        };
        // In long: a large page index times the page size overflows int and would wrap back to the first page.
        var skip = (int)Math.Min((long)index * size, int.MaxValue);
        var items = sorted.Skip(skip).Take(size).ToList();
        return new Common.Page<Instance>(items, filtered.Count, index, size);
    }

    private IOrderedEnumerable<Instance> Order(IEnumerable<Instance> source, Func<Instance, string> key) =>
        Descending
            ? source.OrderByDescending(key, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.InstanceId, StringComparer.Ordinal)
            : source.OrderBy(key, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.InstanceId, StringComparer.Ordinal);
}
