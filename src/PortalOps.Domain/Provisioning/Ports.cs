using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Provisioning;

/// <summary>An instance type with its size, as offered in one availability zone.</summary>
public sealed record InstanceTypeInfo(string InstanceType, int VCpus, int MemoryMiB, bool HibernationSupported = false, string Architecture = "x86_64")
{
    public double MemoryGiB => MemoryMiB / 1024.0;
}

/// <summary>An image (AMI) with what a launch needs to know about it.</summary>
public sealed record ImageDetails(
    CloudScope Scope,
    string ImageId,
    string Name,
    string OwnerId,
    string? OwnerAlias,
    string Architecture,
    string Platform,
    string RootDeviceName,
    int RootSnapshotSizeGiB,
    DateTimeOffset? CreationDate,
    string? Description = null);

/// <summary>Instance types offered per availability zone, with vCPU and memory, and the account's limit.</summary>
public interface IInstanceTypeCatalog
{
    Task<IReadOnlyList<InstanceTypeInfo>> OfferedInZoneAsync(CloudScope scope, string availabilityZone, CancellationToken cancellationToken = default);

    /// <summary>How many instances the account may run in the region (EC2's <c>max-instances</c>); null when unknown.</summary>
    Task<int?> MaxInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default);
}

/// <summary>Finds images in one region.</summary>
public interface IImageCatalog
{
    /// <summary>Images whose name contains <paramref name="nameContains"/>, owned by <paramref name="owner"/> ("self", "amazon", an alias or an account id; null = any public or own).</summary>
    Task<IReadOnlyList<ImageDetails>> SearchAsync(CloudScope scope, string? nameContains, string? owner, CancellationToken cancellationToken = default);

    /// <summary>The image with this id in this region, or null (AMIs are regional: one from another region is not found here).</summary>
    Task<ImageDetails?> FindAsync(CloudScope scope, string imageId, CancellationToken cancellationToken = default);

    /// <summary>The latest Amazon Linux and Ubuntu images, as AWS publishes them in its public SSM parameters.</summary>
    Task<IReadOnlyList<ImageDetails>> LatestAsync(CloudScope scope, CancellationToken cancellationToken = default);
}

/// <summary>The tags every new instance must carry (governance). A small configuration until the compliance module owns it.</summary>
public interface ITagGovernance
{
    IReadOnlyList<string> RequiredTagKeys { get; }
}
