namespace PortalOps.Domain.Instances;

/// <summary>Where a resource lives: account and region.</summary>
public sealed record CloudScope(string AccountId, string Region)
{
    public override string ToString() => $"{AccountId}/{Region}";
}

public sealed record VolumeInfo(CloudScope Scope, string VolumeId, int SizeGiB, string VolumeType, string State, bool Encrypted, string AvailabilityZone, string? AttachedTo, IReadOnlyDictionary<string, string> Tags);

public sealed record SnapshotInfo(CloudScope Scope, string SnapshotId, string VolumeId, int SizeGiB, string State, DateTimeOffset? StartTime, string Description, IReadOnlyDictionary<string, string> Tags);

public sealed record ImageInfo(CloudScope Scope, string ImageId, string Name, string State, string OwnerId, DateTimeOffset? CreationDate, string Platform);

public sealed record SecurityGroupInfo(CloudScope Scope, string GroupId, string Name, string Description, string? VpcId, IReadOnlyList<SecurityRule> Inbound);

/// <summary>One inbound rule: protocol ("-1" for all), port range, and where from (CIDR or group).</summary>
public sealed record SecurityRule(string Protocol, int? FromPort, int? ToPort, IReadOnlyList<string> Sources);

public sealed record SubnetInfo(CloudScope Scope, string SubnetId, string VpcId, string CidrBlock, string AvailabilityZone, int AvailableIps, bool PublicIpOnLaunch);

public sealed record KeyPairInfo(CloudScope Scope, string KeyName, string? KeyPairId, string? Fingerprint);

public sealed record AvailabilityZoneInfo(CloudScope Scope, string ZoneName, string ZoneId, string State);

public sealed record InstanceTypeOffering(CloudScope Scope, string InstanceType, string Location);

public sealed record SpotPrice(CloudScope Scope, string InstanceType, string AvailabilityZone, string ProductDescription, decimal PricePerHour, DateTimeOffset Timestamp);

/// <summary>Reads the resources around instances: disks, backups, images, network, key pairs, capacity and prices.</summary>
public interface ICloudResources
{
    Task<IReadOnlyList<VolumeInfo>> VolumesAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SnapshotInfo>> SnapshotsAsync(CloudScope scope, CancellationToken cancellationToken = default);

    /// <summary>Images this account owns.</summary>
    Task<IReadOnlyList<ImageInfo>> ImagesAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SecurityGroupInfo>> SecurityGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<KeyPairInfo>> KeyPairsAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AvailabilityZoneInfo>> AvailabilityZonesAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<InstanceTypeOffering>> InstanceTypeOfferingsAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SpotPrice>> SpotPriceHistoryAsync(CloudScope scope, IReadOnlyList<string> instanceTypes, DateTimeOffset since, CancellationToken cancellationToken = default);
}
