using System.Globalization;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Provisioning;

/// <summary>
/// Everything a launch needs, as the wizard collects it and a template keeps it. Turned into action parameters
/// (so an approved launch carries it) and into the provider's <see cref="LaunchRequest"/>.
/// </summary>
public sealed record LaunchSpec
{
    public string AccountId { get; init; } = string.Empty;

    public string Region { get; init; } = string.Empty;

    public string AvailabilityZone { get; init; } = string.Empty;

    public string InstanceType { get; init; } = string.Empty;

    public string ImageId { get; init; } = string.Empty;

    public string? SubnetId { get; init; }

    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];

    /// <summary>Null: no key pair (log in through Session Manager).</summary>
    public string? KeyName { get; init; }

    public int VolumeSizeGiB { get; init; } = 8;

    public string VolumeType { get; init; } = "gp3";

    public bool Encrypted { get; init; } = true;

    public bool RequireImdsV2 { get; init; } = true;

    public bool Hibernation { get; init; }

    public bool TerminationProtection { get; init; }

    /// <summary>The Name tag.</summary>
    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public int Count { get; init; } = 1;

    public CloudScope Scope => new(AccountId, Region);

    /// <summary>The tags the instances will carry, the Name tag included.</summary>
    public IReadOnlyDictionary<string, string> AllTags()
    {
        var tags = new Dictionary<string, string>(Tags, StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(Name))
        {
            tags["Name"] = Name.Trim();
        }

        return tags;
    }

    public Placement ToPlacement() => new(AccountId, Region, AllTags(), Count);

    public LaunchRequest ToRequest() =>
        new(AccountId, Region, ImageId, InstanceType, Count, string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(), AllTags(), SubnetId, SecurityGroupIds, string.IsNullOrWhiteSpace(KeyName) ? null : KeyName)
        {
            AvailabilityZone = AvailabilityZone,
            RootVolume = new RootVolumeSpec(VolumeSizeGiB, VolumeType, Encrypted),
            RequireImdsV2 = RequireImdsV2,
            Hibernation = Hibernation,
            TerminationProtection = TerminationProtection,
        };

    /// <summary>The launch as a request for the action pipeline; the key is the launch's client token.</summary>
    public ActionRequest ToActionRequest(string idempotencyKey, string? reason = null) =>
        ActionRequest.Launch(ToPlacement(), LaunchParameters.From(this), idempotencyKey, reason);
}

/// <summary>The action parameters of a launch: flat strings, so that a launch waiting for approval keeps every detail.</summary>
public static class LaunchParameters
{
    public const string Zone = "availabilityZone";
    public const string Type = "instanceType";
    public const string Image = "imageId";
    public const string Subnet = "subnetId";
    public const string SecurityGroups = "securityGroupIds";
    public const string KeyName = "keyName";
    public const string VolumeSize = "volumeSizeGiB";
    public const string VolumeType = "volumeType";
    public const string Encrypted = "encrypted";
    public const string ImdsV2 = "imdsV2Required";
    public const string Hibernation = "hibernation";
    public const string TerminationProtection = "terminationProtection";
    public const string Name = "name";
    public const string Count = "count";

    public static IReadOnlyDictionary<string, string> From(LaunchSpec spec)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Zone] = spec.AvailabilityZone,
            [Type] = spec.InstanceType,
            [Image] = spec.ImageId,
            [SecurityGroups] = string.Join(',', spec.SecurityGroupIds),
            [VolumeSize] = spec.VolumeSizeGiB.ToString(CultureInfo.InvariantCulture),
            [VolumeType] = spec.VolumeType,
            [Encrypted] = Bool(spec.Encrypted),
            [ImdsV2] = Bool(spec.RequireImdsV2),
            [Hibernation] = Bool(spec.Hibernation),
            [TerminationProtection] = Bool(spec.TerminationProtection),
            [Count] = spec.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrWhiteSpace(spec.SubnetId))
        {
            p[Subnet] = spec.SubnetId;
        }

        if (!string.IsNullOrWhiteSpace(spec.KeyName))
        {
            p[KeyName] = spec.KeyName;
        }

        if (!string.IsNullOrWhiteSpace(spec.Name))
        {
            p[Name] = spec.Name.Trim();
        }

        return p;
    }

    /// <summary>Rebuilds the spec from a launch target (account, region, tags) and its parameters.</summary>
    public static LaunchSpec ToSpec(ResolvedTarget placement, IReadOnlyDictionary<string, string> p)
    {
        var name = p.GetValueOrDefault(Name);
        var tags = placement.Tags.Where(t => t.Key != "Name").ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        return new LaunchSpec
        {
            AccountId = placement.Ref.AccountId,
            Region = placement.Ref.Region,
            AvailabilityZone = p.GetValueOrDefault(Zone) ?? string.Empty,
            InstanceType = p.GetValueOrDefault(Type) ?? string.Empty,
            ImageId = p.GetValueOrDefault(Image) ?? string.Empty,
            SubnetId = p.GetValueOrDefault(Subnet),
            SecurityGroupIds = (p.GetValueOrDefault(SecurityGroups) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            KeyName = p.GetValueOrDefault(KeyName),
            VolumeSizeGiB = int.TryParse(p.GetValueOrDefault(VolumeSize), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : 0,
            VolumeType = p.GetValueOrDefault(VolumeType) ?? "gp3",
            Encrypted = p.GetValueOrDefault(Encrypted) != "false",
            RequireImdsV2 = p.GetValueOrDefault(ImdsV2) != "false",
            Hibernation = p.GetValueOrDefault(Hibernation) == "true",
            TerminationProtection = p.GetValueOrDefault(TerminationProtection) == "true",
            Name = name ?? placement.Tags.GetValueOrDefault("Name"),
            Tags = tags,
            Count = CountOf(p),
        };
    }

    public static int CountOf(IReadOnlyDictionary<string, string> p) =>
        int.TryParse(p.GetValueOrDefault(Count), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;

    /// <summary>"Launch 3 × t3.micro (ami-…) in 123456789012/eu-west-1a".</summary>
    public static string Describe(InstanceRef? placement, IReadOnlyDictionary<string, string> p) =>
        $"Launch {CountOf(p)} × {p.GetValueOrDefault(Type) ?? "?"} ({p.GetValueOrDefault(Image) ?? "?"}){(p.GetValueOrDefault(Name) is { Length: > 0 } n ? $" named {n}" : string.Empty)} in {placement?.AccountId}/{p.GetValueOrDefault(Zone) ?? placement?.Region}";

    private static string Bool(bool value) => value ? "true" : "false";
}
