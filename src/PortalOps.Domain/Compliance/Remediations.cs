namespace PortalOps.Domain.Compliance;

/// <summary>A change that fixes a violation, and the resource type it works on.</summary>
public sealed record Remediation(string Name, ResourceType Type, string Description);

/// <summary>The remediations PortalOps can apply; a policy may name only one its resource type supports.</summary>
public static class Remediations
{
    public static readonly Remediation RevokeWorldOpen = new("revoke-world-open", ResourceType.SecurityGroup, "Revoke the inbound rules open to 0.0.0.0/0 or ::/0 that the policy matched");
    public static readonly Remediation RequireImdsV2 = new("require-imdsv2", ResourceType.Instance, "Require IMDSv2 (session tokens) on the instance metadata service");
    public static readonly Remediation EnableEbsDefaultEncryption = new("enable-ebs-default-encryption", ResourceType.RegionSetting, "Turn on EBS encryption by default in the region");
    public static readonly Remediation MakeSnapshotPrivate = new("make-private", ResourceType.Snapshot, "Remove the public create-volume permission");
    public static readonly Remediation MakeImagePrivate = new("make-private", ResourceType.Image, "Remove the public launch permission");
    public static readonly Remediation AddMissingInstanceTags = new("add-missing-tags", ResourceType.Instance, "Add the missing tags with the value 'unassigned'");
    public static readonly Remediation AddMissingVolumeTags = new("add-missing-tags", ResourceType.Volume, "Add the missing tags with the value 'unassigned'");
    public static readonly Remediation DeleteVolume = new("snapshot-and-delete", ResourceType.Volume, "Snapshot the unattached volume, then delete it");
    public static readonly Remediation ReleaseAddress = new("release", ResourceType.ElasticIp, "Release the unassociated Elastic IP");

    public static IReadOnlyList<Remediation> All { get; } =
        [RevokeWorldOpen, RequireImdsV2, EnableEbsDefaultEncryption, MakeSnapshotPrivate, MakeImagePrivate, AddMissingInstanceTags, AddMissingVolumeTags, DeleteVolume, ReleaseAddress];

    public static Remediation? Find(ResourceType type, string name) => All.FirstOrDefault(r => r.Type == type && r.Name == name);

    public static IEnumerable<Remediation> For(ResourceType type) => All.Where(r => r.Type == type);
}
