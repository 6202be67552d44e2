using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.EC2;
using Amazon.EC2.Model;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Instances;
using PortalOps.Jobs.Aws.Protocol;
using Filter = Amazon.EC2.Model.Filter;
using ResourceType = PortalOps.Domain.Compliance.ResourceType;

namespace PortalOps.Jobs.Aws.Compliance;

/// <summary>
/// Reads one account × region for the compliance scan with the fewest calls: one paged Describe per resource type at its
/// largest page (instances, volumes, own snapshots, own images, security groups, addresses), one GetEbsEncryptionByDefault,
/// one DescribeImages for the images the instances run (200 ids per call), and the two attributes EC2 only answers one
/// resource at a time: a snapshot's create-volume permission (own snapshots) and termination protection (production instances).
/// Instances and volumes, the two large answers, are read page by page with streaming readers rather than the SDK.
/// </summary>
public sealed partial class AwsComplianceSource(AwsClients clients, AwsProtocolClient core) : IComplianceSource
{
    /// <summary>The tag that marks production, whose instances get their termination protection read.</summary>
    public const string ProductionTagKey = "env";
    public const string ProductionTagValue = "prod";

    /// <summary>EC2's largest pages: DescribeInstances counts instances up to 1000, DescribeVolumes volumes up to 500.</summary>
    public const int InstancesPage = 1000;
    public const int VolumesPage = 500;

    private const int AttributeParallelism = 8;

    public async Task<IReadOnlyList<ComplianceResource>> ReadAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var instances = InstancesAsync(ec2, scope, cancellationToken);
        var volumes = VolumesAsync(scope, cancellationToken);
        var snapshots = SnapshotsAsync(ec2, scope, cancellationToken);
        var images = ImagesAsync(ec2, scope, cancellationToken);
        var groups = GroupsAsync(ec2, scope, cancellationToken);
        var addresses = AddressesAsync(ec2, scope, cancellationToken);
        var setting = SettingAsync(ec2, scope, cancellationToken);
        await Task.WhenAll(instances, volumes, snapshots, images, groups, addresses, setting).ConfigureAwait(false);

        var all = new List<ComplianceResource>();
        all.AddRange(await instances.ConfigureAwait(false));
        all.AddRange(await volumes.ConfigureAwait(false));
        all.AddRange(await snapshots.ConfigureAwait(false));
        all.AddRange(await images.ConfigureAwait(false));
        all.AddRange(await groups.ConfigureAwait(false));
        all.AddRange(await addresses.ConfigureAwait(false));
        all.Add(await setting.ConfigureAwait(false));
        return all;
    }

    private async Task<List<ComplianceResource>> InstancesAsync(IAmazonEC2 ec2, CloudScope scope, CancellationToken ct)
    {
        // Pages are read with a streaming parser over the signed Query transport, as the inventory reads them: the SDK's
        // object graph for 10,000 instances costs more CPU than the rest of the scan (docs/performance.md).
        var endpoint = clients.Endpoint(scope.AccountId, scope.Region, AwsServiceDescriptor.Ec2);
        var raw = new List<ComplianceInstancesReader.Item>();
        string? token = null;
        do
        {
            var parameters = new QueryParameters().Add("MaxResults", InstancesPage).Add("NextToken", token);
            var (page, next) = await core.QueryRawAsync(endpoint, "DescribeInstances", parameters, (xml, _) => ComplianceInstancesReader.Read(xml), ct).ConfigureAwait(false);
            raw.AddRange(page);
            token = next;
        }
        while (token is not null);

        var imageTimes = await ImageTimesAsync(ec2, raw.Select(i => i.ImageId).Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToList(), ct).ConfigureAwait(false);
        var production = raw.Where(i => i.Production).Select(i => i.Id).ToList();
        var protection = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(production, new ParallelOptions { MaxDegreeOfParallelism = AttributeParallelism, CancellationToken = ct }, async (id, token2) =>
        {
            var a = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.DisableApiTermination }, token2).ConfigureAwait(false);
            protection[id] = a.InstanceAttribute?.DisableApiTermination ?? false;
        }).ConfigureAwait(false);

        var list = new List<ComplianceResource>(raw.Count);
        foreach (var i in raw)
        {
            if (i.ImageId.Length > 0 && imageTimes.TryGetValue(i.ImageId, out var created))
            {
                i.Fields[ResourceFields.ImageCreationTime] = created;
            }

            if (protection.TryGetValue(i.Id, out var on))
            {
                i.Fields[ResourceFields.TerminationProtection] = on;
            }

            list.Add(new ComplianceResource(ResourceType.Instance, scope, i.Id, i.Name, i.Tags, i.Fields));
        }

        return list;
    }

    /// <summary>Creation times of the images the instances run, by filter (a deregistered image is simply absent), 200 ids per call.</summary>
    private static async Task<Dictionary<string, DateTimeOffset>> ImageTimesAsync(IAmazonEC2 ec2, List<string> imageIds, CancellationToken ct)
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var chunk in imageIds.Chunk(200))
        {
            var r = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new Filter("image-id", [.. chunk])] }, ct).ConfigureAwait(false);
            foreach (var image in r.Images ?? [])
            {
                if (Protocol.Xml.ParseDate(image.CreationDate) is { } created)
                {
                    times[image.ImageId] = created;
                }
            }
        }

        return times;
    }

    private async Task<List<ComplianceResource>> VolumesAsync(CloudScope scope, CancellationToken ct)
    {
        var endpoint = clients.Endpoint(scope.AccountId, scope.Region, AwsServiceDescriptor.Ec2);
        var list = new List<ComplianceResource>();
        string? token = null;
        do
        {
            var parameters = new QueryParameters().Add("MaxResults", VolumesPage).Add("NextToken", token);
            var (page, next) = await core.QueryRawAsync(endpoint, "DescribeVolumes", parameters, (xml, _) => ComplianceVolumesReader.Read(xml, scope), ct).ConfigureAwait(false);
            list.AddRange(page);
            token = next;
        }
        while (token is not null);
        return list;
    }

    private static async Task<List<ComplianceResource>> SnapshotsAsync(IAmazonEC2 ec2, CloudScope scope, CancellationToken ct)
    {
        var own = new List<Snapshot>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], MaxResults = 1000, NextToken = token }, ct).ConfigureAwait(false);
            // OwnerIds=self already narrows it on EC2; emulators that ignore it are narrowed here.
            own.AddRange((r.Snapshots ?? []).Where(s => string.IsNullOrEmpty(s.OwnerId) || s.OwnerId == scope.AccountId));
            token = Next(r.NextToken);
        }
        while (token is not null);

        var isPublic = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(own, new ParallelOptions { MaxDegreeOfParallelism = AttributeParallelism, CancellationToken = ct }, async (s, token2) =>
        {
            var a = await ec2.DescribeSnapshotAttributeAsync(new DescribeSnapshotAttributeRequest { SnapshotId = s.SnapshotId, Attribute = SnapshotAttributeName.CreateVolumePermission }, token2).ConfigureAwait(false);
            isPublic[s.SnapshotId] = (a.CreateVolumePermissions ?? []).Any(p => p.Group?.Value == "all");
        }).ConfigureAwait(false);

        return own.Select(s =>
        {
            var tags = Ec2Mapping.Tags(s.Tags);
            var fields = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.State] = s.State?.Value ?? "",
                [ResourceFields.SizeGiB] = (long)(s.VolumeSize ?? 0),
                [ResourceFields.Encrypted] = s.Encrypted ?? false,
                [ResourceFields.Public] = isPublic.GetValueOrDefault(s.SnapshotId),
            };
            if (s.StartTime is { } started)
            {
                fields[ResourceFields.CreateTime] = Utc(started);
            }

            return new ComplianceResource(ResourceType.Snapshot, scope, s.SnapshotId, tags.GetValueOrDefault("Name") ?? s.SnapshotId, tags, fields);
        }).ToList();
    }

    private static async Task<List<ComplianceResource>> ImagesAsync(IAmazonEC2 ec2, CloudScope scope, CancellationToken ct)
    {
        var r = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] }, ct).ConfigureAwait(false);
        return (r.Images ?? []).Where(i => string.IsNullOrEmpty(i.OwnerId) || i.OwnerId == scope.AccountId).Select(i =>
        {
            var tags = Ec2Mapping.Tags(i.Tags);
            var fields = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.State] = i.State?.Value ?? "",
                [ResourceFields.Name] = i.Name ?? "",
                [ResourceFields.Public] = i.Public ?? false,
            };
            if (Protocol.Xml.ParseDate(i.CreationDate) is { } created)
            {
                fields[ResourceFields.CreateTime] = created;
            }

            return new ComplianceResource(ResourceType.Image, scope, i.ImageId, i.Name ?? i.ImageId, tags, fields);
        }).ToList();
    }

    private static async Task<List<ComplianceResource>> GroupsAsync(IAmazonEC2 ec2, CloudScope scope, CancellationToken ct)
    {
        var list = new List<ComplianceResource>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { MaxResults = 1000, NextToken = token }, ct).ConfigureAwait(false);
            foreach (var g in r.SecurityGroups ?? [])
            {
                var tags = Ec2Mapping.Tags(g.Tags);
                var rules = (g.IpPermissions ?? []).Select(p => new SecurityRule(p.IpProtocol ?? "-1", p.FromPort, p.ToPort,
                    (p.Ipv4Ranges ?? []).Select(x => x.CidrIp).Concat((p.Ipv6Ranges ?? []).Select(x => x.CidrIpv6)).Concat((p.UserIdGroupPairs ?? []).Select(x => x.GroupId)).ToList())).ToList();
                list.Add(new ComplianceResource(ResourceType.SecurityGroup, scope, g.GroupId, g.GroupName ?? g.GroupId, tags, new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    [ResourceFields.Name] = g.GroupName ?? "",
                    [ResourceFields.VpcId] = g.VpcId ?? "",
                })
                { Inbound = rules });
            }

            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    private static async Task<List<ComplianceResource>> AddressesAsync(IAmazonEC2 ec2, CloudScope scope, CancellationToken ct)
    {
        var r = await ec2.DescribeAddressesAsync(new DescribeAddressesRequest(), ct).ConfigureAwait(false);
        return (r.Addresses ?? []).Select(a =>
        {
            var tags = Ec2Mapping.Tags(a.Tags);
            var id = string.IsNullOrEmpty(a.AllocationId) ? a.PublicIp : a.AllocationId;
            return new ComplianceResource(ResourceType.ElasticIp, scope, id, a.PublicIp ?? id, tags, new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.PublicIp] = a.PublicIp ?? "",
                [ResourceFields.Associated] = !string.IsNullOrEmpty(a.AssociationId) || !string.IsNullOrEmpty(a.InstanceId) || !string.IsNullOrEmpty(a.NetworkInterfaceId),
            });
        }).ToList();
    }

    private static async Task<ComplianceResource> SettingAsync(IAmazonEC2 ec2, CloudScope scope, CancellationToken ct)
    {
        var r = await ec2.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest(), ct).ConfigureAwait(false);
        return RegionSetting(scope, r.EbsEncryptionByDefault ?? false);
    }

    /// <summary>The region's settings as one resource, named after the region.</summary>
    public static ComplianceResource RegionSetting(CloudScope scope, bool ebsEncryptionByDefault) =>
        new(ResourceType.RegionSetting, scope, scope.Region, $"Settings of {scope.Region}", new Dictionary<string, string>(), new Dictionary<string, object>
        {
            [ResourceFields.EbsEncryptionByDefault] = ebsEncryptionByDefault,
        });

    /// <summary>EC2 gives the stop time only in the transition reason: "User initiated (2026-01-02 03:04:05 GMT)" (emulators write UTC).</summary>
    internal static DateTimeOffset? StoppedAt(string? reason)
    {
        var m = reason is null ? null : StopTime().Match(reason);
        return m is { Success: true } && DateTime.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private static string? Next(string? token) => string.IsNullOrEmpty(token) ? null : token;

    [GeneratedRegex(@"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")]
    private static partial Regex StopTime();
}
