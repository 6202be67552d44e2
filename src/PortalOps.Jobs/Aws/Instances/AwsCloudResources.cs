using Amazon.EC2.Model;
using PortalOps.Domain.Instances;
using InstanceTypeOffering = PortalOps.Domain.Instances.InstanceTypeOffering;
using KeyPairInfo = PortalOps.Domain.Instances.KeyPairInfo;
using SnapshotInfo = PortalOps.Domain.Instances.SnapshotInfo;
using SpotPrice = PortalOps.Domain.Instances.SpotPrice;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>The EC2 resources around instances, read with the SDK and paged at each call's maximum.</summary>
public sealed class AwsCloudResources(AwsClients clients) : ICloudResources
{
    public async Task<IReadOnlyList<VolumeInfo>> VolumesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var list = new List<VolumeInfo>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { MaxResults = 500, NextToken = token }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.Volumes ?? []).Select(v => new VolumeInfo(scope, v.VolumeId, v.Size ?? 0, v.VolumeType?.Value ?? "", v.State?.Value ?? "", v.Encrypted ?? false, v.AvailabilityZone ?? "",
                v.Attachments?.FirstOrDefault()?.InstanceId, Ec2Mapping.Tags(v.Tags))));
            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<SnapshotInfo>> SnapshotsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var list = new List<SnapshotInfo>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], MaxResults = 1000, NextToken = token }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.Snapshots ?? []).Select(s => new SnapshotInfo(scope, s.SnapshotId, s.VolumeId ?? "", s.VolumeSize ?? 0, s.State?.Value ?? "", Utc(s.StartTime), s.Description ?? "", Ec2Mapping.Tags(s.Tags))));
            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<ImageInfo>> ImagesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] }, cancellationToken).ConfigureAwait(false);
        return (r.Images ?? []).Select(i => new ImageInfo(scope, i.ImageId, i.Name ?? "", i.State?.Value ?? "", i.OwnerId ?? "",
            Xml(i.CreationDate), i.PlatformDetails ?? "Linux/UNIX")).ToList();
    }

    public async Task<IReadOnlyList<SecurityGroupInfo>> SecurityGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var list = new List<SecurityGroupInfo>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { MaxResults = 1000, NextToken = token }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.SecurityGroups ?? []).Select(g => new SecurityGroupInfo(scope, g.GroupId, g.GroupName ?? "", g.Description ?? "", g.VpcId,
                (g.IpPermissions ?? []).Select(p => new SecurityRule(p.IpProtocol ?? "-1", p.FromPort, p.ToPort,
                    (p.Ipv4Ranges ?? []).Select(x => x.CidrIp).Concat((p.Ipv6Ranges ?? []).Select(x => x.CidrIpv6)).Concat((p.UserIdGroupPairs ?? []).Select(x => x.GroupId)).ToList())).ToList())));
            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var list = new List<SubnetInfo>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { MaxResults = 1000, NextToken = token }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.Subnets ?? []).Select(s => new SubnetInfo(scope, s.SubnetId, s.VpcId ?? "", s.CidrBlock ?? "", s.AvailabilityZone ?? "", s.AvailableIpAddressCount ?? 0, s.MapPublicIpOnLaunch ?? false)));
            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<KeyPairInfo>> KeyPairsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeKeyPairsAsync(new DescribeKeyPairsRequest(), cancellationToken).ConfigureAwait(false);
        return (r.KeyPairs ?? []).Select(k => new KeyPairInfo(scope, k.KeyName, k.KeyPairId, k.KeyFingerprint)).ToList();
    }

    public async Task<IReadOnlyList<AvailabilityZoneInfo>> AvailabilityZonesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest(), cancellationToken).ConfigureAwait(false);
        return (r.AvailabilityZones ?? []).Select(z => new AvailabilityZoneInfo(scope, z.ZoneName, z.ZoneId ?? "", z.State?.Value ?? "")).ToList();
    }

    public async Task<IReadOnlyList<InstanceTypeOffering>> InstanceTypeOfferingsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var list = new List<InstanceTypeOffering>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest { LocationType = "availability-zone", MaxResults = 1000, NextToken = token }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.InstanceTypeOfferings ?? []).Select(o => new InstanceTypeOffering(scope, o.InstanceType?.Value ?? "", o.Location ?? "")));
            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<SpotPrice>> SpotPriceHistoryAsync(CloudScope scope, IReadOnlyList<string> instanceTypes, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var list = new List<SpotPrice>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeSpotPriceHistoryAsync(new DescribeSpotPriceHistoryRequest
            {
                InstanceTypes = instanceTypes.ToList(),
                StartTime = since.UtcDateTime,
                MaxResults = 1000,
                NextToken = token,
            }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.SpotPriceHistory ?? []).Select(p => new SpotPrice(scope, p.InstanceType?.Value ?? "", p.AvailabilityZone ?? "", p.ProductDescription?.Value ?? "",
                decimal.TryParse(p.Price, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var price) ? price : 0m,
                Utc(p.Timestamp) ?? DateTimeOffset.UnixEpoch)));
            token = Next(r.NextToken);
        }
        while (token is not null);
        return list;
    }

    private static string? Next(string? token) => string.IsNullOrEmpty(token) ? null : token;

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private static DateTimeOffset? Xml(string? s) => Protocol.Xml.ParseDate(s);
}
