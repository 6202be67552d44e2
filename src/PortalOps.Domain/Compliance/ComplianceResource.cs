using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// One resource as the policies see it: where it is, its tags, and its fields (<see cref="ResourceFields"/>) as
/// text, bool, long or <see cref="DateTimeOffset"/> values. A field that could not be read is absent, and no filter on it matches.
/// </summary>
public sealed record ComplianceResource(
    ResourceType Type,
    CloudScope Scope,
    string Id,
    string Name,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, object> Fields)
{
    /// <summary>Inbound rules, for security groups.</summary>
    public IReadOnlyList<SecurityRule> Inbound { get; init; } = [];

    /// <summary>The owner named by the resource's tags (Owner, owner or team), for notifications and reports.</summary>
    public string? Owner => Tags.GetValueOrDefault("Owner") ?? Tags.GetValueOrDefault("owner") ?? Tags.GetValueOrDefault("team");

    public Footprint Footprint => Footprint.Of(Scope.AccountId, Scope.Region, Tags);

    /// <summary>A key unique across accounts and regions: type/account/region/id.</summary>
    public string Key => $"{Type.Name()}/{Scope.AccountId}/{Scope.Region}/{Id}";
}

/// <summary>Everything one scan read, all policies evaluate over this one snapshot.</summary>
public sealed class ComplianceInventory
{
    private readonly Dictionary<ResourceType, List<ComplianceResource>> byType = [];

    public ComplianceInventory(IEnumerable<ComplianceResource> resources, IEnumerable<CloudScope> scanned)
    {
        foreach (var r in resources)
        {
            if (!byType.TryGetValue(r.Type, out var list))
            {
                byType[r.Type] = list = [];
            }

            list.Add(r);
        }

        Scanned = scanned.Distinct().ToList();
    }

    /// <summary>The account × region pairs read in full; findings elsewhere are neither resolved nor reopened by this scan.</summary>
    public IReadOnlyList<CloudScope> Scanned { get; }

    public IReadOnlyList<ComplianceResource> Of(ResourceType type) => byType.TryGetValue(type, out var list) ? list : [];

    public int Count => byType.Values.Sum(l => l.Count);
}
