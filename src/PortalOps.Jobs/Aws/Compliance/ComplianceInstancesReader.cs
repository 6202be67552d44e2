using System.Xml;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Aws.Protocol;
using static PortalOps.Jobs.Aws.Protocol.Ec2Xml;

namespace PortalOps.Jobs.Aws.Compliance;

/// <summary>
/// Reads a DescribeInstances page (EC2 Query XML) for the compliance scan in one forward pass: for each instance only the
/// values the policies look at, as the scan's fields, with everything else skipped unread. A page of 1000 instances costs
/// its own values rather than the SDK's object graph (docs/performance.md, "Compliance").
/// </summary>
internal static class ComplianceInstancesReader
{
    /// <summary>One instance as read: its fields (without the image's creation time and termination protection, which come from other calls).</summary>
    public sealed record Item(string Id, string Name, string ImageId, bool Production, IReadOnlyDictionary<string, string> Tags, Dictionary<string, object> Fields);

    public static (List<Item> Instances, string? NextToken) Read(Stream xml)
    {
        var (instances, next, _) = ReadInstancesPage(xml, ReadInstance);
        return (instances, next);
    }

    private static Item ReadInstance(XmlReader r)
    {
        string id = "", type = "", image = "", publicIp = "";
        string? state = null, launched = null, tokens = null, reason = null, monitoring = null;
        var tags = NoTags;
        for (var instance = Enter(r); Next(r, instance);)
        {
            switch (r.LocalName)
            {
                case "instanceId": id = r.ReadElementContentAsString(); break;
                case "instanceType": type = r.ReadElementContentAsString(); break;
                case "imageId": image = r.ReadElementContentAsString(); break;
                case "ipAddress": publicIp = r.ReadElementContentAsString(); break;
                case "launchTime": launched = r.ReadElementContentAsString(); break;
                case "reason": reason = r.ReadElementContentAsString(); break;
                case "instanceState": state = Child(r, "name"); break;
                case "monitoring": monitoring = Child(r, "state"); break;
                case "metadataOptions": tokens = Child(r, "httpTokens"); break;
                case "tagSet": tags = Tags(r); break;
                default: r.Skip(); break;
            }
        }

        state ??= "pending";
        var fields = new Dictionary<string, object>(9, StringComparer.Ordinal)
        {
            [ResourceFields.State] = state,
            [ResourceFields.InstanceType] = type,
            [ResourceFields.ImageId] = image,
            [ResourceFields.PublicIp] = publicIp,
            [ResourceFields.DetailedMonitoring] = monitoring is "enabled" or "pending",
        };
        if (Xml.ParseDate(launched) is { } launch)
        {
            fields[ResourceFields.LaunchTime] = launch;
        }

        if (tokens is not null)
        {
            fields[ResourceFields.ImdsV2Required] = tokens == "required";
        }

        if (state == "stopped" && AwsComplianceSource.StoppedAt(reason) is { } stopped)
        {
            fields[ResourceFields.StoppedSince] = stopped;
        }

        var production = state != "terminated"
            && tags.TryGetValue(AwsComplianceSource.ProductionTagKey, out var env)
            && string.Equals(env, AwsComplianceSource.ProductionTagValue, StringComparison.OrdinalIgnoreCase);
        return new Item(id, tags.GetValueOrDefault("Name") ?? id, image, production, tags, fields);
    }
}
