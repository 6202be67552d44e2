using System.Globalization;
using System.Xml;
using PortalOps.Domain.Instances;
using static PortalOps.Jobs.Aws.Protocol.Ec2Xml;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>
/// Reads a DescribeInstances answer (EC2 Query XML) in one forward pass, keeping only what the fleet needs and
/// skipping the rest unread. Taking in 10,000 instances this way costs a fraction of building the SDK's object graph.
/// The walk is plain loops over the reader (one call per instance, none per field), so an instance costs its own values and nothing else.
/// </summary>
internal static class DescribeInstancesReader
{
    public static (List<Instance> Instances, string? NextToken, string? RequestId) Read(Stream xml, string accountId, string region) =>
        ReadInstancesPage(xml, r => ReadInstance(r, accountId, region));

    private static Instance ReadInstance(XmlReader r, string accountId, string region)
    {
        string id = "", type = "", zone = "", state = "";
        string? platform = null, platformDetails = null, privateIp = null, publicIp = null;
        var launch = DateTimeOffset.UnixEpoch;
        IReadOnlyDictionary<string, string>? tags = null;
        List<Domain.Instances.Volume>? volumes = null;
        for (var instance = Enter(r); Next(r, instance);)
        {
            switch (r.LocalName)
            {
                case "instanceId": id = r.ReadElementContentAsString(); break;
                case "instanceType": type = r.ReadElementContentAsString(); break;
                case "platform": platform = r.ReadElementContentAsString(); break;
                case "platformDetails": platformDetails = r.ReadElementContentAsString(); break;
                case "privateIpAddress": privateIp = r.ReadElementContentAsString(); break;
                case "ipAddress": publicIp = r.ReadElementContentAsString(); break;
                case "launchTime":
                    launch = DateTimeOffset.TryParse(r.ReadElementContentAsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : DateTimeOffset.UnixEpoch;
                    break;
                case "instanceState":
                    for (var s = Enter(r); Next(r, s);)
                    {
                        if (r.LocalName == "name")
                        {
                            state = r.ReadElementContentAsString();
                        }
                        else
                        {
                            r.Skip();
                        }
                    }

                    break;
                case "placement":
                    for (var p = Enter(r); Next(r, p);)
                    {
                        if (r.LocalName == "availabilityZone")
                        {
                            zone = r.ReadElementContentAsString();
                        }
                        else
                        {
                            r.Skip();
                        }
                    }

                    break;
                case "tagSet":
                    tags = Tags(r);
                    break;
                case "blockDeviceMapping":
                    volumes = [];
                    for (var set = Enter(r); Next(r, set);)
                    {
                        if (r.LocalName != "item")
                        {
                            r.Skip();
                            continue;
                        }

                        string device = "", volumeId = "";
                        for (var item = Enter(r); Next(r, item);)
                        {
                            if (r.LocalName == "deviceName")
                            {
                                device = r.ReadElementContentAsString();
                            }
                            else if (r.LocalName == "ebs")
                            {
                                for (var ebs = Enter(r); Next(r, ebs);)
                                {
                                    if (r.LocalName == "volumeId")
                                    {
                                        volumeId = r.ReadElementContentAsString();
                                    }
                                    else
                                    {
                                        r.Skip();
                                    }
                                }
                            }
                            else
                            {
                                r.Skip();
                            }
                        }

                        if (volumeId.Length > 0)
                        {
                            volumes.Add(new Domain.Instances.Volume(volumeId, 0, "", false, device));
                        }
                    }

                    break;
                default:
                    r.Skip();
                    break;
            }
        }

        IReadOnlyDictionary<string, string> tagged = tags is { Count: > 0 } ? tags : NoTags;
        return new Instance(
            new InstanceRef(accountId, region, id),
            tagged.TryGetValue("Name", out var n) ? n : "",
            type,
            Ec2Mapping.State(state),
            zone,
            platformDetails ?? (string.IsNullOrEmpty(platform) ? "Linux/UNIX" : platform),
            launch,
            tagged,
            (IReadOnlyList<Domain.Instances.Volume>?)volumes ?? [],
            string.IsNullOrEmpty(privateIp) ? null : privateIp,
            string.IsNullOrEmpty(publicIp) ? null : publicIp);
    }
}
