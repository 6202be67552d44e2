namespace PortalOps.Domain.Compliance;

/// <summary>The kind of value a resource field holds, which decides the comparisons a filter may make on it.</summary>
public enum FieldKind
{
    Text,
    Bool,
    Number,
    Time,
}

/// <summary>One field a filter may test, with a line for the editor's hints.</summary>
public sealed record ResourceField(string Name, FieldKind Kind, string Description);

/// <summary>
/// The fields each resource type exposes to filters. A filter naming any other field is refused when the policy is read,
/// so a typo never becomes a policy that silently matches nothing.
/// </summary>
public static class ResourceFields
{
    public const string State = "state";
    public const string InstanceType = "instance-type";
    public const string LaunchTime = "launch-time";
    public const string StoppedSince = "stopped-since";
    public const string ImdsV2Required = "imds-v2-required";
    public const string DetailedMonitoring = "detailed-monitoring";
    public const string TerminationProtection = "termination-protection";
    public const string ImageId = "image-id";
    public const string ImageCreationTime = "image-creation-time";
    public const string PublicIp = "public-ip";
    public const string VolumeType = "volume-type";
    public const string SizeGiB = "size-gib";
    public const string Encrypted = "encrypted";
    public const string Attached = "attached";
    public const string CreateTime = "create-time";
    public const string Public = "public";
    public const string Name = "name";
    public const string VpcId = "vpc-id";
    public const string Associated = "associated";
    public const string EbsEncryptionByDefault = "ebs-encryption-by-default";

    private static readonly Dictionary<ResourceType, IReadOnlyDictionary<string, ResourceField>> Catalog = new()
    {
        [ResourceType.Instance] = Of(
            F(State, FieldKind.Text, "pending, running, stopping, stopped, shutting-down, terminated"),
            F(InstanceType, FieldKind.Text, "the instance type, e.g. t3.micro"),
            F(LaunchTime, FieldKind.Time, "when the instance was launched"),
            F(StoppedSince, FieldKind.Time, "when a stopped instance was stopped"),
            F(ImdsV2Required, FieldKind.Bool, "true when the metadata service answers only IMDSv2 (session) requests"),
            F(DetailedMonitoring, FieldKind.Bool, "true when CloudWatch detailed (1-minute) monitoring is on"),
            F(TerminationProtection, FieldKind.Bool, "true when the API termination protection is on"),
            F(ImageId, FieldKind.Text, "the image the instance was launched from"),
            F(ImageCreationTime, FieldKind.Time, "when that image was created"),
            F(PublicIp, FieldKind.Text, "the public IPv4 address, empty when none")),
        [ResourceType.Volume] = Of(
            F(State, FieldKind.Text, "creating, available, in-use, deleting, error"),
            F(VolumeType, FieldKind.Text, "gp2, gp3, io1, io2, st1, sc1, standard"),
            F(SizeGiB, FieldKind.Number, "size in GiB"),
            F(Encrypted, FieldKind.Bool, "true when the volume is encrypted"),
            F(Attached, FieldKind.Bool, "true when the volume is attached to an instance"),
            F(CreateTime, FieldKind.Time, "when the volume was created")),
        [ResourceType.Snapshot] = Of(
            F(State, FieldKind.Text, "pending, completed, error"),
            F(SizeGiB, FieldKind.Number, "size in GiB"),
            F(Encrypted, FieldKind.Bool, "true when the snapshot is encrypted"),
            F(Public, FieldKind.Bool, "true when anyone may create a volume from it"),
            F(CreateTime, FieldKind.Time, "when the snapshot was started")),
        [ResourceType.Image] = Of(
            F(State, FieldKind.Text, "pending, available, failed"),
            F(Name, FieldKind.Text, "the image name"),
            F(Public, FieldKind.Bool, "true when anyone may launch it"),
            F(CreateTime, FieldKind.Time, "when the image was created")),
        [ResourceType.SecurityGroup] = Of(
            F(Name, FieldKind.Text, "the group name"),
            F(VpcId, FieldKind.Text, "the VPC it belongs to")),
        [ResourceType.ElasticIp] = Of(
            F(PublicIp, FieldKind.Text, "the address"),
            F(Associated, FieldKind.Bool, "true when the address is associated with an instance or interface")),
        [ResourceType.RegionSetting] = Of(
            F(EbsEncryptionByDefault, FieldKind.Bool, "true when new EBS volumes in the region are encrypted by default")),
    };

    public static IReadOnlyDictionary<string, ResourceField> For(ResourceType type) => Catalog[type];

    public static ResourceField? Find(ResourceType type, string name) => Catalog[type].GetValueOrDefault(name);

    private static ResourceField F(string name, FieldKind kind, string description) => new(name, kind, description);

    private static Dictionary<string, ResourceField> Of(params ResourceField[] fields) => fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
