using PortalOps.Domain.Common;

namespace PortalOps.Domain.Patching;

/// <summary>
/// Instances patched together, chosen by a tag (Patch Manager's own convention is the tag <c>Patch Group</c>), and the baseline each
/// operating system in the group follows. An instance whose OS has no baseline here is listed as skipped, never patched by guess.
/// </summary>
public sealed record PatchGroup(string Name, string TagKey, string TagValue, IReadOnlyDictionary<string, Guid> BaselineByOperatingSystem)
{
    public const string DefaultTagKey = "Patch Group";

    public static PatchGroup Create(string? name, string? tagKey, string? tagValue, IReadOnlyDictionary<string, Guid> baselines)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new DomainException("Give the patch group a name.");
        }

        if (string.IsNullOrWhiteSpace(tagKey) || string.IsNullOrWhiteSpace(tagValue))
        {
            throw new DomainException("A patch group is chosen by a tag: name its key and value.");
        }

        if (baselines.Keys.FirstOrDefault(os => PatchOperatingSystem.Find(os) is null) is { } unknown)
        {
            throw new DomainException($"'{unknown}' is not an operating system Patch Manager knows.");
        }

        return new PatchGroup(name.Trim(), tagKey.Trim(), tagValue.Trim(), baselines);
    }

    public bool Contains(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(TagKey, out var v) && string.Equals(v, TagValue, StringComparison.OrdinalIgnoreCase);

    public Guid? BaselineFor(PatchOperatingSystem os) => BaselineByOperatingSystem.TryGetValue(os.Name, out var id) ? id : null;
}
