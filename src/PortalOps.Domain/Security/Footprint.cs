namespace PortalOps.Domain.Security;

/// <summary>
/// Where a resource — or everything a record touches — lies: the account, the region and the tags they all share.
/// An empty account or region means "more than one" (or "any"), which only a scope with "*" there covers; the tags are those
/// every resource carries with the same value. So a scope covers a footprint exactly when it covers every resource behind it.
/// </summary>
public sealed record Footprint(string Account, string Region, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Separates tags in <see cref="TagsText"/>; AWS allows neither control character in a tag.</summary>
    public const char TagSeparator = '\u001e';

    /// <summary>Separates a tag's key from its value in <see cref="TagsText"/>.</summary>
    public const char ValueSeparator = '\u001f';

    public static Footprint Of(string account, string region, IReadOnlyDictionary<string, string>? tags) =>
        new(account, region, tags ?? new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>The footprint of a set of resources: what they all share. Null for no resources.</summary>
    public static Footprint? Common(IEnumerable<Footprint> footprints)
    {
        Footprint? common = null;
        foreach (var p in footprints)
        {
            common = common is null ? p : common.Join(p);
        }

        return common;
    }

    /// <summary>What this footprint and another share.</summary>
    public Footprint Join(Footprint other)
    {
        var tags = Tags
            .Where(t => other.Tags.TryGetValue(t.Key, out var v) && string.Equals(v, t.Value, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        return new Footprint(
            string.Equals(Account, other.Account, StringComparison.Ordinal) ? Account : string.Empty,
            string.Equals(Region, other.Region, StringComparison.Ordinal) ? Region : string.Empty,
            tags);
    }

    /// <summary>The tags as one searchable text: each as RS key US lower-case value RS, sorted by key (stored beside a record).</summary>
    public string TagsText =>
        Tags.Count == 0
            ? string.Empty
            : string.Concat(Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{TagSeparator}{t.Key}{ValueSeparator}{t.Value.ToLowerInvariant()}")) + TagSeparator;

    /// <summary>Reads <see cref="TagsText"/> back (values lower-case; scopes compare values without case).</summary>
    public static Footprint FromStored(string account, string region, string? tagsText)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (tagsText ?? string.Empty).Split(TagSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var at = part.IndexOf(ValueSeparator, StringComparison.Ordinal);
            if (at > 0)
            {
                tags[part[..at]] = part[(at + 1)..];
            }
        }

        return new Footprint(account, region, tags);
    }

    /// <summary>The text a stored <see cref="TagsText"/> contains when this scope's tag condition holds (null: no tag condition).</summary>
    public static string? Needle(Scope scope) =>
        scope.TagKey is null
            ? null
            : scope.TagValue is null or Scope.Any
                ? $"{TagSeparator}{scope.TagKey}{ValueSeparator}"
                : $"{TagSeparator}{scope.TagKey}{ValueSeparator}{scope.TagValue.ToLowerInvariant()}{TagSeparator}";
}
