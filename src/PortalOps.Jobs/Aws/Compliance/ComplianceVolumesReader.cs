using System.Globalization;
using System.Xml;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Protocol;
using static PortalOps.Jobs.Aws.Protocol.Ec2Xml;
using ResourceType = PortalOps.Domain.Compliance.ResourceType;

namespace PortalOps.Jobs.Aws.Compliance;

/// <summary>
/// Reads a DescribeVolumes page (EC2 Query XML) for the compliance scan in one forward pass, straight into the scan's
/// resources: state, type, size, encryption, whether attached, creation time and tags; the rest is skipped unread.
/// </summary>
internal static class ComplianceVolumesReader
{
    public static (List<ComplianceResource> Volumes, string? NextToken) Read(Stream xml, CloudScope scope)
    {
        var (volumes, next, _) = ReadPage<ComplianceResource>(xml, "volumeSet", 500, (r, into) => into.Add(ReadVolume(r, scope)));
        return (volumes, next);
    }

    private static ComplianceResource ReadVolume(XmlReader r, CloudScope scope)
    {
        string id = "", state = "", type = "";
        string? size = null, encrypted = null, created = null;
        var attached = false;
        var tags = NoTags;
        for (var volume = Enter(r); Next(r, volume);)
        {
            switch (r.LocalName)
            {
                case "volumeId": id = r.ReadElementContentAsString(); break;
                case "status": state = r.ReadElementContentAsString(); break;
                case "volumeType": type = r.ReadElementContentAsString(); break;
                case "size": size = r.ReadElementContentAsString(); break;
                case "encrypted": encrypted = r.ReadElementContentAsString(); break;
                case "createTime": created = r.ReadElementContentAsString(); break;
                case "attachmentSet": attached = HasItems(r); break;
                case "tagSet": tags = Tags(r); break;
                default: r.Skip(); break;
            }
        }

        var fields = new Dictionary<string, object>(6, StringComparer.Ordinal)
        {
            [ResourceFields.State] = state,
            [ResourceFields.VolumeType] = type,
            [ResourceFields.SizeGiB] = long.TryParse(size, NumberStyles.Integer, CultureInfo.InvariantCulture, out var gib) ? gib : 0L,
            [ResourceFields.Encrypted] = Bool(encrypted),
            [ResourceFields.Attached] = attached,
        };
        if (Xml.ParseDate(created) is { } at)
        {
            fields[ResourceFields.CreateTime] = at;
        }

        return new ComplianceResource(ResourceType.Volume, scope, id, tags.GetValueOrDefault("Name") ?? id, tags, fields);
    }
}
