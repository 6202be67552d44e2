using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Provisioning;

/// <summary>The wizard's fields, as keys of validation messages (a tag's value is <c>Tags:KEY</c>).</summary>
public static class LaunchFields
{
    public const string Account = "account";
    public const string Region = "region";
    public const string Zone = "zone";
    public const string InstanceType = "instanceType";
    public const string Image = "image";
    public const string Subnet = "subnet";
    public const string SecurityGroups = "securityGroups";
    public const string KeyPair = "keyPair";
    public const string VolumeSize = "volumeSize";
    public const string VolumeType = "volumeType";
    public const string Hibernation = "hibernation";
    public const string Name = "name";
    public const string Tags = "tags";
    public const string Count = "count";

    public static string Tag(string key) => $"{Tags}:{key}";
}

/// <summary>What is known about where a launch goes, loaded once per check: the choices the provider offers there.</summary>
public sealed record LaunchContext
{
    public IReadOnlyList<string> AccountIds { get; init; } = [];

    /// <summary>Regions of the chosen account.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    public IReadOnlyList<AvailabilityZoneInfo> Zones { get; init; } = [];

    /// <summary>Types offered in the chosen zone.</summary>
    public IReadOnlyList<InstanceTypeInfo> OfferedTypes { get; init; } = [];

    /// <summary>The chosen image as found in the chosen region; null when it is not there.</summary>
    public ImageDetails? Image { get; init; }

    public IReadOnlyList<SubnetInfo> Subnets { get; init; } = [];

    public IReadOnlyList<SecurityGroupInfo> SecurityGroups { get; init; } = [];

    public IReadOnlyList<KeyPairInfo> KeyPairs { get; init; } = [];

    public IReadOnlyList<string> RequiredTags { get; init; } = [];

    /// <summary>The account's limit of instances in the region (null when unknown).</summary>
    public int? MaxInstances { get; init; }

    /// <summary>Instances the account has in the region now (not terminated).</summary>
    public int CurrentInstances { get; init; }
}

/// <summary>Field → message, in the words shown next to the field. Empty when the launch may go ahead.</summary>
public sealed class LaunchValidation(IReadOnlyDictionary<string, string> errors)
{
    public static LaunchValidation Valid { get; } = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Errors { get; } = errors;

    public bool IsValid => Errors.Count == 0;

    public string? this[string field] => Errors.GetValueOrDefault(field);

    public override string ToString() => string.Join(" ", Errors.Values);
}

/// <summary>Checks a launch against what the provider offers where it goes, before anything is launched. Pure: no I/O.</summary>
public static class LaunchValidator
{
    public const int MaxTags = 50;
    public const int MaxVolumeGiB = 16384;
    public const int MaxCount = 100;

    /// <summary>Root volume types EC2 accepts for a boot volume.</summary>
    public static readonly IReadOnlyList<string> RootVolumeTypes = ["gp3", "gp2", "io2", "io1", "standard"];

    public static LaunchValidation Validate(LaunchSpec spec, LaunchContext context)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Fail(string field, string message) => errors.TryAdd(field, message);

        if (string.IsNullOrWhiteSpace(spec.AccountId) || !context.AccountIds.Contains(spec.AccountId))
        {
            Fail(LaunchFields.Account, string.IsNullOrWhiteSpace(spec.AccountId) ? "Choose an account." : $"Account {spec.AccountId} is not managed by PortalOps.");
        }

        if (string.IsNullOrWhiteSpace(spec.Region) || !context.Regions.Contains(spec.Region))
        {
            Fail(LaunchFields.Region, string.IsNullOrWhiteSpace(spec.Region) ? "Choose a region." : $"Region {spec.Region} is not managed in account {spec.AccountId}.");
        }

        var zone = context.Zones.FirstOrDefault(z => z.ZoneName == spec.AvailabilityZone);
        if (string.IsNullOrWhiteSpace(spec.AvailabilityZone))
        {
            Fail(LaunchFields.Zone, "Choose an availability zone.");
        }
        else if (zone is null)
        {
            Fail(LaunchFields.Zone, $"{spec.AvailabilityZone} is not an availability zone of {spec.Region}.");
        }
        else if (!string.Equals(zone.State, "available", StringComparison.OrdinalIgnoreCase))
        {
            Fail(LaunchFields.Zone, $"{spec.AvailabilityZone} is {zone.State}; choose an available zone.");
        }

        var type = context.OfferedTypes.FirstOrDefault(t => t.InstanceType == spec.InstanceType);
        if (string.IsNullOrWhiteSpace(spec.InstanceType))
        {
            Fail(LaunchFields.InstanceType, "Choose an instance type.");
        }
        else if (type is null && zone is not null)
        {
            Fail(LaunchFields.InstanceType, $"{spec.InstanceType} is not offered in {spec.AvailabilityZone}; choose one of the types listed for that zone.");
        }

        var image = context.Image;
        if (string.IsNullOrWhiteSpace(spec.ImageId))
        {
            Fail(LaunchFields.Image, "Choose an image (AMI).");
        }
        else if (!spec.ImageId.StartsWith("ami-", StringComparison.Ordinal))
        {
            Fail(LaunchFields.Image, $"'{spec.ImageId}' is not an AMI id (they start with ami-).");
        }
        else if (image is null)
        {
            Fail(LaunchFields.Image, $"{spec.ImageId} does not exist in {spec.Region}. AMIs are regional: copy it to {spec.Region} or choose an image from this region.");
        }
        else if (type is not null && !string.Equals(Arch(image.Architecture), Arch(type.Architecture), StringComparison.Ordinal))
        {
            Fail(LaunchFields.Image, $"{image.Name} is built for {image.Architecture}, but {type.InstanceType} runs {type.Architecture}.");
        }

        SubnetInfo? subnet = null;
        if (!string.IsNullOrWhiteSpace(spec.SubnetId))
        {
            subnet = context.Subnets.FirstOrDefault(s => s.SubnetId == spec.SubnetId);
            if (subnet is null)
            {
                Fail(LaunchFields.Subnet, $"Subnet {spec.SubnetId} does not exist in {spec.Region}.");
            }
            else if (zone is not null && subnet.AvailabilityZone != spec.AvailabilityZone)
            {
                Fail(LaunchFields.Subnet, $"Subnet {spec.SubnetId} is in {subnet.AvailabilityZone}, not in {spec.AvailabilityZone}.");
            }
            else if (subnet.AvailableIps < spec.Count)
            {
                Fail(LaunchFields.Subnet, $"Subnet {spec.SubnetId} has {subnet.AvailableIps} free address(es) for {spec.Count} instance(s).");
            }
        }
        else if (context.Subnets.Count > 0)
        {
            Fail(LaunchFields.Subnet, "Choose a subnet in the availability zone.");
        }

        foreach (var groupId in spec.SecurityGroupIds)
        {
            var group = context.SecurityGroups.FirstOrDefault(g => g.GroupId == groupId);
            if (group is null)
            {
                Fail(LaunchFields.SecurityGroups, $"Security group {groupId} does not exist in {spec.Region}.");
            }
            else if (subnet is not null && group.VpcId is not null && group.VpcId != subnet.VpcId)
            {
                Fail(LaunchFields.SecurityGroups, $"Security group {group.Name} ({groupId}) belongs to {group.VpcId}, but the subnet is in {subnet.VpcId}.");
            }
        }

        if (!string.IsNullOrWhiteSpace(spec.KeyName) && context.KeyPairs.All(k => k.KeyName != spec.KeyName))
        {
            Fail(LaunchFields.KeyPair, $"Key pair '{spec.KeyName}' does not exist in {spec.Region}; create or import it there first, or launch without one.");
        }

        if (!RootVolumeTypes.Contains(spec.VolumeType))
        {
            Fail(LaunchFields.VolumeType, $"'{spec.VolumeType}' cannot be a root volume; use one of {string.Join(", ", RootVolumeTypes)}.");
        }

        if (spec.VolumeSizeGiB is < 1 or > MaxVolumeGiB)
        {
            Fail(LaunchFields.VolumeSize, $"A volume is between 1 and {MaxVolumeGiB} GiB.");
        }
        else if (image is not null && spec.VolumeSizeGiB < image.RootSnapshotSizeGiB)
        {
            Fail(LaunchFields.VolumeSize, $"The image's root snapshot is {image.RootSnapshotSizeGiB} GiB; the volume must be at least {image.RootSnapshotSizeGiB} GiB.");
        }

        if (spec.Hibernation)
        {
            if (type is { HibernationSupported: false })
            {
                Fail(LaunchFields.Hibernation, $"{type.InstanceType} does not support hibernation.");
            }
            else if (!spec.Encrypted)
            {
                Fail(LaunchFields.Hibernation, "Hibernation needs an encrypted root volume.");
            }
            else if (type is not null && spec.VolumeSizeGiB * 1024L < type.MemoryMiB + (image?.RootSnapshotSizeGiB ?? 0) * 1024L)
            {
                Fail(LaunchFields.Hibernation, $"Hibernation saves the memory ({type.MemoryGiB:0.#} GiB) to the root volume; make it at least {(int)Math.Ceiling(type.MemoryGiB) + (image?.RootSnapshotSizeGiB ?? 0)} GiB.");
            }
        }

        if (spec.Name is { Length: > 256 })
        {
            Fail(LaunchFields.Name, "A name is at most 256 characters.");
        }

        ValidateTags(spec, context, Fail);

        if (spec.Count is < 1 or > MaxCount)
        {
            Fail(LaunchFields.Count, $"Launch between 1 and {MaxCount} instances at once.");
        }
        else if (context.MaxInstances is { } max && context.CurrentInstances + spec.Count > max)
        {
            var room = Math.Max(0, max - context.CurrentInstances);
            Fail(LaunchFields.Count, $"The account allows {max} instances in {spec.Region} and has {context.CurrentInstances}; at most {room} more can be launched.");
        }

        return errors.Count == 0 ? LaunchValidation.Valid : new LaunchValidation(errors);
    }

    /// <summary>Checks one tag key as EC2 does: 1–128 characters, not starting with <c>aws:</c>. Null when it is fine.</summary>
    public static string? CheckTagKey(string? key) =>
        string.IsNullOrWhiteSpace(key) ? "A tag needs a key."
        : key.Length > 128 ? "A tag key is at most 128 characters."
        : key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) ? "Tag keys starting with aws: are reserved for AWS."
        : key != key.Trim() ? "A tag key cannot start or end with a space."
        : null;

    private static void ValidateTags(LaunchSpec spec, LaunchContext context, Action<string, string> fail)
    {
        if (spec.Tags.Count + (string.IsNullOrWhiteSpace(spec.Name) ? 0 : 1) > MaxTags)
        {
            fail(LaunchFields.Tags, $"An instance carries at most {MaxTags} tags.");
        }

        foreach (var (key, value) in spec.Tags)
        {
            if (CheckTagKey(key) is { } problem)
            {
                fail(LaunchFields.Tag(key), problem);
            }
            else if (value.Length > 256)
            {
                fail(LaunchFields.Tag(key), $"The value of {key} is at most 256 characters.");
            }
        }

        foreach (var required in context.RequiredTags)
        {
            var value = required == "Name" ? spec.Name : spec.Tags.GetValueOrDefault(required);
            if (string.IsNullOrWhiteSpace(value))
            {
                fail(required == "Name" ? LaunchFields.Name : LaunchFields.Tag(required), $"{required} is a required tag; give it a value.");
            }
        }
    }

    private static string Arch(string architecture) => architecture.Replace("_mac", string.Empty, StringComparison.Ordinal);
}
