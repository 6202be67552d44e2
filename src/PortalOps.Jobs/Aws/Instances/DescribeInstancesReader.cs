using System.Globalization;
using System.Xml;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>
/// Reads a DescribeInstances answer (EC2 Query XML) in one forward pass, keeping only what the fleet needs and
/// skipping the rest unread. Taking in 10,000 instances this way costs a fraction of building the SDK's object graph.
/// </summary>
internal static class DescribeInstancesReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
    };

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public static (List<Instance> Instances, string? NextToken, string? RequestId) Read(Stream xml, string accountId, string region)
    {
        var instances = new List<Instance>(1000);
        string? next = null;
        string? requestId = null;
        using var r = XmlReader.Create(xml, Settings);
        r.MoveToContent();
        var rootDepth = r.Depth;
        r.Read();
        while (!r.EOF && r.Depth > rootDepth)
        {
            if (r.NodeType != XmlNodeType.Element)
            {
                r.Read();
                continue;
            }

            switch (r.LocalName)
            {
                case "requestId":
                    requestId = r.ReadElementContentAsString();
                    break;
                case "nextToken":
                    next = r.ReadElementContentAsString();
                    break;
                case "reservationSet":
                    ReadItems(r, () => ReadReservation(r, instances, accountId, region));
                    break;
                default:
                    r.Skip();
                    break;
            }
        }

        return (instances, string.IsNullOrEmpty(next) ? null : next, requestId);
    }

    /// <summary>Calls <paramref name="readItem"/> positioned on each <c>item</c> child; leaves the reader after the list.</summary>
    private static void ReadItems(XmlReader r, Action readItem)
    {
        if (r.IsEmptyElement)
        {
            r.Read();
            return;
        }

        var depth = r.Depth;
        r.Read();
        while (!r.EOF && r.Depth > depth)
        {
            if (r.NodeType == XmlNodeType.Element && r.LocalName == "item")
            {
                readItem();
            }
            else if (r.NodeType == XmlNodeType.Element)
            {
                r.Skip();
            }
            else
            {
                r.Read();
            }
        }

        r.Read(); // end of the list element
    }

    /// <summary>Calls <paramref name="onChild"/> for each child element of the current element, which must consume it.</summary>
    private static void ReadChildren(XmlReader r, Action<string> onChild)
    {
        if (r.IsEmptyElement)
        {
            r.Read();
            return;
        }

        var depth = r.Depth;
        r.Read();
        while (!r.EOF && r.Depth > depth)
        {
            if (r.NodeType == XmlNodeType.Element)
            {
                onChild(r.LocalName);
            }
            else
            {
                r.Read();
            }
        }

        r.Read();
    }

    private static void ReadReservation(XmlReader r, List<Instance> instances, string accountId, string region) =>
        ReadChildren(r, name =>
        {
            if (name == "instancesSet")
            {
                ReadItems(r, () => instances.Add(ReadInstance(r, accountId, region)));
            }
            else
            {
                r.Skip();
            }
        });

    private static Instance ReadInstance(XmlReader r, string accountId, string region)
    {
        string id = "", type = "", zone = "", state = "";
        string? platform = null, platformDetails = null, privateIp = null, publicIp = null;
        var launch = DateTimeOffset.UnixEpoch;
        Dictionary<string, string>? tags = null;
        List<Domain.Instances.Volume>? volumes = null;
        ReadChildren(r, name =>
        {
            switch (name)
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
                    ReadChildren(r, n =>
                    {
                        if (n == "name")
                        {
                            state = r.ReadElementContentAsString();
                        }
                        else
                        {
                            r.Skip();
                        }
                    });
                    break;
                case "placement":
                    ReadChildren(r, n =>
                    {
                        if (n == "availabilityZone")
                        {
                            zone = r.ReadElementContentAsString();
                        }
                        else
                        {
                            r.Skip();
                        }
                    });
                    break;
                case "tagSet":
                    tags = new Dictionary<string, string>(4, StringComparer.Ordinal);
                    ReadItems(r, () =>
                    {
                        string? key = null, value = null;
                        ReadChildren(r, n =>
                        {
                            if (n == "key")
                            {
                                key = r.ReadElementContentAsString();
                            }
                            else if (n == "value")
                            {
                                value = r.ReadElementContentAsString();
                            }
                            else
                            {
                                r.Skip();
                            }
                        });
                        if (key is not null)
                        {
                            tags[key] = value ?? "";
                        }
                    });
                    break;
                case "blockDeviceMapping":
                    volumes = [];
                    ReadItems(r, () =>
                    {
                        string device = "", volumeId = "";
                        ReadChildren(r, n =>
                        {
                            if (n == "deviceName")
                            {
                                device = r.ReadElementContentAsString();
                            }
                            else if (n == "ebs")
                            {
                                ReadChildren(r, e =>
                                {
                                    if (e == "volumeId")
                                    {
                                        volumeId = r.ReadElementContentAsString();
                                    }
                                    else
                                    {
                                        r.Skip();
                                    }
                                });
                            }
                            else
                            {
                                r.Skip();
                            }
                        });
                        if (volumeId.Length > 0)
                        {
                            volumes.Add(new Domain.Instances.Volume(volumeId, 0, "", false, device));
                        }
                    });
                    break;
                default:
                    r.Skip();
                    break;
            }
        });

        IReadOnlyDictionary<string, string> t = tags is { Count: > 0 } ? tags : NoTags;
        return new Instance(
            new InstanceRef(accountId, region, id),
            t.TryGetValue("Name", out var n) ? n : "",
            type,
            Ec2Mapping.State(state),
            zone,
            platformDetails ?? (string.IsNullOrEmpty(platform) ? "Linux/UNIX" : platform),
            launch,
            t,
            (IReadOnlyList<Domain.Instances.Volume>?)volumes ?? [],
            string.IsNullOrEmpty(privateIp) ? null : privateIp,
            string.IsNullOrEmpty(publicIp) ? null : publicIp);
    }
}
