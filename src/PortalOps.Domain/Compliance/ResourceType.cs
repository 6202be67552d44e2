namespace PortalOps.Domain.Compliance;

/// <summary>What a compliance policy looks at. Each has a name used in policy documents (<see cref="ResourceTypes.Name"/>).</summary>
public enum ResourceType
{
    Instance,
    Volume,
    Snapshot,
    Image,
    SecurityGroup,
    ElasticIp,

    /// <summary>An account × region setting, such as EBS encryption by default.</summary>
    RegionSetting,
}

/// <summary>The names resource types have in policy documents.</summary>
public static class ResourceTypes
{
    private static readonly Dictionary<string, ResourceType> ByName = new(StringComparer.Ordinal)
    {
        ["instance"] = ResourceType.Instance,
        ["volume"] = ResourceType.Volume,
        ["snapshot"] = ResourceType.Snapshot,
        ["image"] = ResourceType.Image,
        ["security-group"] = ResourceType.SecurityGroup,
        ["elastic-ip"] = ResourceType.ElasticIp,
        ["region-setting"] = ResourceType.RegionSetting,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static string Name(this ResourceType type) => type switch
    {
        ResourceType.Instance => "instance",
        ResourceType.Volume => "volume",
        ResourceType.Snapshot => "snapshot",
        ResourceType.Image => "image",
        ResourceType.SecurityGroup => "security-group",
        ResourceType.ElasticIp => "elastic-ip",
        ResourceType.RegionSetting => "region-setting",
    };

    public static bool TryParse(string? name, out ResourceType type) => ByName.TryGetValue(name ?? string.Empty, out type);
}
