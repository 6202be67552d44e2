using Amazon.EC2;
using Amazon.EC2.Model;
using GetParametersRequest = Amazon.SimpleSystemsManagement.Model.GetParametersRequest;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using InstanceTypeInfo = PortalOps.Domain.Provisioning.InstanceTypeInfo;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>Protections, metadata mode, hibernation, status checks and tags of one instance (DescribeInstanceAttribute, ModifyInstanceAttribute, CreateTags, DeleteTags).</summary>
public sealed class AwsInstanceAttributes(AwsClients clients) : IInstanceAttributes
{
    public async Task<InstanceAttributes?> GetAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(instance.AccountId, instance.Region);
        Amazon.EC2.Model.Instance? found;
        try
        {
            var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instance.InstanceId] }, cancellationToken).ConfigureAwait(false);
            found = described.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault();
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
        {
            return null;
        }

        if (found is null)
        {
            return null;
        }

        var termination = ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = instance.InstanceId, Attribute = InstanceAttributeName.DisableApiTermination }, cancellationToken);
        var stop = ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = instance.InstanceId, Attribute = InstanceAttributeName.DisableApiStop }, cancellationToken);
        var status = ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] }, cancellationToken);
        await Task.WhenAll(termination, stop, status).ConfigureAwait(false);
        var s = (await status.ConfigureAwait(false)).InstanceStatuses?.FirstOrDefault();
        IReadOnlyList<StatusCheck> checks = s is null
            ? []
            : [new("System reachability", s.SystemStatus?.Status?.Value ?? "unknown"), new("Instance reachability", s.Status?.Status?.Value ?? "unknown")];
        return new InstanceAttributes(
            (await termination.ConfigureAwait(false)).InstanceAttribute?.DisableApiTermination ?? false,
            (await stop.ConfigureAwait(false)).InstanceAttribute?.DisableApiStop ?? false,
            found.MetadataOptions?.HttpTokens?.Value is { } tokens ? tokens == "required" : null,
            found.HibernationOptions?.Configured ?? false,
            checks);
    }

    public async Task<string?> SetProtectionAsync(InstanceRef instance, bool? termination, bool? stop, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(instance.AccountId, instance.Region);
        var ids = new List<string>();
        if (termination is { } t)
        {
            var r = await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = instance.InstanceId, DisableApiTermination = t }, cancellationToken).ConfigureAwait(false);
            ids.Add(r.ResponseMetadata.RequestId);
        }

        if (stop is { } s)
        {
            var r = await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = instance.InstanceId, DisableApiStop = s }, cancellationToken).ConfigureAwait(false);
            ids.Add(r.ResponseMetadata.RequestId);
        }

        return ids.Count == 0 ? null : string.Join(",", ids);
    }

    public async Task<string?> SetTagsAsync(InstanceRef instance, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(instance.AccountId, instance.Region);
        var ids = new List<string>();
        if (remove.Count > 0)
        {
            var r = await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [instance.InstanceId], Tags = remove.Select(k => new Tag { Key = k }).ToList() }, cancellationToken).ConfigureAwait(false);
            ids.Add(r.ResponseMetadata.RequestId);
        }

        if (set.Count > 0)
        {
            var r = await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [instance.InstanceId], Tags = set.Select(t => new Tag(t.Key, t.Value)).ToList() }, cancellationToken).ConfigureAwait(false);
            ids.Add(r.ResponseMetadata.RequestId);
        }

        return ids.Count == 0 ? null : string.Join(",", ids);
    }
}

/// <summary>Elastic IPs (DescribeAddresses, ReleaseAddress) and volume deletion; a resource that is already gone counts as done.</summary>
public sealed class AwsLeftovers(AwsClients clients) : IElasticIps, IVolumes
{
    public async Task<IReadOnlyList<AddressInfo>> AddressesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeAddressesAsync(new DescribeAddressesRequest(), cancellationToken).ConfigureAwait(false);
        return (r.Addresses ?? []).Select(a => new AddressInfo(scope, a.AllocationId ?? a.PublicIp, a.PublicIp, Empty(a.AssociationId), Empty(a.InstanceId), Ec2Mapping.Tags(a.Tags))).ToList();
    }

    public async Task<string?> ReleaseAsync(CloudScope scope, string allocationId, CancellationToken cancellationToken = default)
    {
        try
        {
            var r = await clients.Ec2(scope.AccountId, scope.Region).ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = allocationId }, cancellationToken).ConfigureAwait(false);
            return r.ResponseMetadata.RequestId;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode is "InvalidAllocationID.NotFound" or "InvalidAddress.NotFound")
        {
            return e.RequestId;
        }
    }

    public async Task<string?> DeleteAsync(CloudScope scope, string volumeId, CancellationToken cancellationToken = default)
    {
        try
        {
            var r = await clients.Ec2(scope.AccountId, scope.Region).DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volumeId }, cancellationToken).ConfigureAwait(false);
            return r.ResponseMetadata.RequestId;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidVolume.NotFound")
        {
            return e.RequestId;
        }
    }

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

/// <summary>Instance types per zone with vCPU and memory (DescribeInstanceTypeOfferings + DescribeInstanceTypes), and the account's instance limit.</summary>
public sealed class AwsInstanceTypeCatalog(AwsClients clients) : IInstanceTypeCatalog
{
    public async Task<IReadOnlyList<InstanceTypeInfo>> OfferedInZoneAsync(CloudScope scope, string availabilityZone, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var names = new List<string>();
        string? token = null;
        do
        {
            var r = await ec2.DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest
            {
                LocationType = LocationType.AvailabilityZone,
                Filters = [new Filter("location", [availabilityZone])],
                MaxResults = 1000,
                NextToken = token,
            }, cancellationToken).ConfigureAwait(false);
            names.AddRange((r.InstanceTypeOfferings ?? []).Select(o => o.InstanceType?.Value ?? string.Empty).Where(n => n.Length > 0));
            token = string.IsNullOrEmpty(r.NextToken) ? null : r.NextToken;
        }
        while (token is not null);

        var types = new List<InstanceTypeInfo>(names.Count);
        foreach (var batch in names.Distinct().Chunk(100))
        {
            var r = await ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = batch.ToList() }, cancellationToken).ConfigureAwait(false);
            types.AddRange((r.InstanceTypes ?? []).Select(t => new InstanceTypeInfo(
                t.InstanceType?.Value ?? string.Empty,
                t.VCpuInfo?.DefaultVCpus ?? 0,
                (int)(t.MemoryInfo?.SizeInMiB ?? 0),
                t.HibernationSupported ?? false,
                t.ProcessorInfo?.SupportedArchitectures?.FirstOrDefault() ?? "x86_64")));
        }

        return types.OrderBy(t => t.InstanceType, StringComparer.Ordinal).ToList();
    }

    public async Task<int?> MaxInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        try
        {
            var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeAccountAttributesAsync(new DescribeAccountAttributesRequest { AttributeNames = ["max-instances"] }, cancellationToken).ConfigureAwait(false);
            var value = r.AccountAttributes?.FirstOrDefault(a => a.AttributeName == "max-instances")?.AttributeValues?.FirstOrDefault()?.AttributeValue;
            return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var max) ? max : null;
        }
        catch (AmazonEC2Exception)
        {
            return null;
        }
    }
}

/// <summary>
/// Images by name and owner (DescribeImages), one image by id in its region, and the latest Amazon Linux and Ubuntu from AWS's
/// public SSM parameters (<c>/aws/service/ami-amazon-linux-latest/…</c>, <c>/aws/service/canonical/ubuntu/…</c>).
/// </summary>
public sealed class AwsImageCatalog(AwsClients clients, ILogger<AwsImageCatalog> logger) : IImageCatalog
{
    public static readonly IReadOnlyList<string> LatestParameters =
    [
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
        "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
    ];

    public async Task<IReadOnlyList<ImageDetails>> SearchAsync(CloudScope scope, string? nameContains, string? owner, CancellationToken cancellationToken = default)
    {
        var request = new DescribeImagesRequest
        {
            Filters = [new Filter("state", ["available"])],
            MaxResults = 200,
        };
        if (!string.IsNullOrWhiteSpace(nameContains))
        {
            request.Filters.Add(new Filter("name", [$"*{nameContains.Trim()}*"]));
        }

        if (!string.IsNullOrWhiteSpace(owner) && owner != "*")
        {
            request.Owners = [owner.Trim()];
        }
        else
        {
            request.Owners = ["self", "amazon", "099720109477"];
        }

        var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeImagesAsync(request, cancellationToken).ConfigureAwait(false);
        return (r.Images ?? []).Select(i => ToDetails(scope, i)).OrderByDescending(i => i.CreationDate).Take(100).ToList();
    }

    public async Task<ImageDetails?> FindAsync(CloudScope scope, string imageId, CancellationToken cancellationToken = default)
    {
        try
        {
            var r = await clients.Ec2(scope.AccountId, scope.Region).DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] }, cancellationToken).ConfigureAwait(false);
            return r.Images?.FirstOrDefault() is { } image ? ToDetails(scope, image) : null;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode.StartsWith("InvalidAMIID", StringComparison.Ordinal))
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ImageDetails>> LatestAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        try
        {
            var r = await clients.Ssm(scope.AccountId, scope.Region).GetParametersAsync(new GetParametersRequest { Names = LatestParameters.ToList() }, cancellationToken).ConfigureAwait(false);
            ids.AddRange((r.Parameters ?? []).Select(p => p.Value).Where(v => v?.StartsWith("ami-", StringComparison.Ordinal) == true));
        }
        catch (Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementException e)
        {
            logger.LogWarning("Latest image parameters unavailable in {Scope}: {Code} (request {RequestId})", scope, e.ErrorCode, e.RequestId);
            return [];
        }

        if (ids.Count == 0)
        {
            return [];
        }

        try
        {
            var images = await clients.Ec2(scope.AccountId, scope.Region).DescribeImagesAsync(new DescribeImagesRequest { ImageIds = ids.Distinct().ToList() }, cancellationToken).ConfigureAwait(false);
            return (images.Images ?? []).Select(i => ToDetails(scope, i)).ToList();
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode.StartsWith("InvalidAMIID", StringComparison.Ordinal))
        {
            logger.LogWarning("A latest image named by SSM does not exist in {Scope}: {Message}", scope, e.Message);
            return [];
        }
    }

    private static ImageDetails ToDetails(CloudScope scope, Image i)
    {
        var root = i.BlockDeviceMappings?.FirstOrDefault(b => b.DeviceName == i.RootDeviceName) ?? i.BlockDeviceMappings?.FirstOrDefault();
        return new ImageDetails(scope, i.ImageId, i.Name ?? string.Empty, i.OwnerId ?? string.Empty, string.IsNullOrEmpty(i.ImageOwnerAlias) ? null : i.ImageOwnerAlias,
            i.Architecture?.Value ?? "x86_64", i.PlatformDetails ?? (i.Platform?.Value is { Length: > 0 } p ? p : "Linux/UNIX"), i.RootDeviceName ?? "/dev/xvda",
            root?.Ebs?.VolumeSize ?? 0, Protocol.Xml.ParseDate(i.CreationDate), i.Description);
    }
}
