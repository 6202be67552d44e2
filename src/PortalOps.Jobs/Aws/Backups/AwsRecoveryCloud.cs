using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Instances;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace PortalOps.Jobs.Aws.Backups;

/// <summary>
/// Whole-instance recovery on EC2: an instance's points by our instance tag (DescribeSnapshots/DescribeImages, 1,000 a page), a launch in
/// the DR region from a copied image or from copied snapshots registered as an image (RegisterImage, then RunInstances with a ClientToken
/// and a token tag), DescribeInstanceStatus for running and status checks, and TerminateInstances/DeregisterImage to clean up a drill.
/// Copies are never deleted here.
/// </summary>
public sealed class AwsRecoveryCloud(AwsClients clients, ILogger<AwsRecoveryCloud> logger) : IRecoveryCloud
{
    public const string ImageTag = "portalops:dr-image";

    public Task<IReadOnlyList<RecoveryPoint>> InstancePointsAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<RecoveryPoint>>(scope, "DescribeSnapshots", async ec2 =>
        {
            var filters = new List<Filter> { new("tag:" + BackupTags.Instance, [instanceId]) };
            var list = new List<RecoveryPoint>();
            string? token = null;
            do
            {
                var r = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], Filters = filters, MaxResults = AwsBackupCloud.PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
                list.AddRange((r.Snapshots ?? []).Select(s => AwsBackupCloud.ToPoint(scope, s)));
                token = string.IsNullOrEmpty(r.NextToken) ? null : r.NextToken;
            }
            while (token is not null);

            do
            {
                var r = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = filters, MaxResults = AwsBackupCloud.PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
                list.AddRange((r.Images ?? []).Select(i => AwsBackupCloud.ToPoint(scope, i)));
                token = string.IsNullOrEmpty(r.NextToken) ? null : r.NextToken;
            }
            while (token is not null);

            // Snapshots behind an image carry the image's tags too; the image stands for them.
            var behindImages = list.Where(p => p.Kind == RecoveryPointKind.Image).Select(p => p.Window).ToHashSet(StringComparer.Ordinal);
            return list.Where(p => p.PolicyId is not null && (p.Kind == RecoveryPointKind.Image || !behindImages.Contains(p.Window)))
                .OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        });

    public Task<DrLaunch> LaunchAsync(CloudScope scope, DrInstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) =>
        Call(scope, "RunInstances", async ec2 =>
        {
            var token = AwsLauncher.ClientToken(idempotencyKey);
            var found = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = [new Filter("tag:" + AwsBackupCloud.RestoreTokenTag, [token]), new Filter("instance-state-name", ["pending", "running", "stopping", "stopped"])],
            }, cancellationToken).ConfigureAwait(false);
            if (found.Reservations?.SelectMany(x => x.Instances ?? []).FirstOrDefault() is { } existing)
            {
                var tags = Ec2Mapping.Tags(existing.Tags);
                return new DrLaunch(existing.InstanceId, tags.GetValueOrDefault(ImageTag), null);
            }

            var imageId = restore.ImageId;
            string? registered = null;
            if (imageId is null)
            {
                registered = await RegisterAsync(ec2, restore, token, cancellationToken).ConfigureAwait(false);
                imageId = registered;
            }

            var instanceTags = restore.Tags.Where(t => !t.Key.StartsWith("aws:", StringComparison.Ordinal) && !t.Key.StartsWith("portalops:restore", StringComparison.Ordinal))
                .Select(t => new Ec2Tag(t.Key, t.Value)).ToList();
            instanceTags.Add(new Ec2Tag("portalops:restored-from", restore.SourceInstanceId));
            instanceTags.Add(new Ec2Tag(AwsBackupCloud.RestoreTokenTag, token));
            if (registered is not null)
            {
                instanceTags.Add(new Ec2Tag(ImageTag, registered));
            }

            var r = await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = imageId,
                InstanceType = new InstanceType(restore.InstanceType),
                MinCount = 1,
                MaxCount = 1,
                SubnetId = restore.SubnetId,
                Placement = restore.SubnetId is null && restore.AvailabilityZone is { Length: > 0 } zone ? new Placement { AvailabilityZone = zone } : null,
                ClientToken = token,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = instanceTags.Take(50).ToList() }],
            }, cancellationToken).ConfigureAwait(false);
            var id = r.Reservation.Instances[0].InstanceId;
            logger.LogInformation("Restored {Source} in {Scope} as {Instance} from {Image} (request {RequestId})", restore.SourceInstanceId, scope, id, imageId, r.ResponseMetadata?.RequestId);
            return new DrLaunch(id, registered, r.ResponseMetadata?.RequestId);
        });

    public Task<InstanceHealth> HealthAsync(CloudScope scope, string instanceId, CancellationToken cancellationToken = default) =>
        Call(scope, "DescribeInstanceStatus", async ec2 =>
        {
            var r = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instanceId], IncludeAllInstances = true }, cancellationToken).ConfigureAwait(false);
            var status = r.InstanceStatuses?.FirstOrDefault();
            if (status is null)
            {
                return new InstanceHealth(PortalOps.Domain.Instances.InstanceState.Terminated, false, "EC2 does not report the instance.");
            }

            var system = status.SystemStatus?.Status?.Value;
            var instance = status.Status?.Status?.Value;
            return new InstanceHealth(Ec2Mapping.State(status.InstanceState?.Name), system == "ok" && instance == "ok", $"system {system ?? "?"}, instance {instance ?? "?"}");
        });

    public Task CleanUpAsync(CloudScope scope, string instanceId, string? registeredImageId, CancellationToken cancellationToken = default) =>
        Call(scope, "TerminateInstances", async ec2 =>
        {
            try
            {
                await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidInstanceID.NotFound")
            {
            }

            if (registeredImageId is not null)
            {
                try
                {
                    await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = registeredImageId }, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonEC2Exception e) when (e.ErrorCode is "InvalidAMIID.NotFound" or "InvalidAMIID.Unavailable")
                {
                }
            }

            return true;
        });

    /// <summary>Registers (or finds, by its name from the token) an image over the copied snapshots.</summary>
    private static async Task<string> RegisterAsync(IAmazonEC2 ec2, DrInstanceRestore restore, string token, CancellationToken cancellationToken)
    {
        var name = $"portalops-dr-{restore.SourceInstanceId}-{token}";
        name = name.Length <= 128 ? name : name[..128];
        var existing = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = [new Filter("name", [name])] }, cancellationToken).ConfigureAwait(false);
        if (existing.Images?.FirstOrDefault() is { } image)
        {
            return image.ImageId;
        }

        var r = await ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = name,
            Description = $"PortalOps DR restore of {restore.SourceInstanceId} from the copies of {restore.Window}",
            Architecture = ArchitectureValues.X86_64,
            VirtualizationType = "hvm",
            EnaSupport = true,
            RootDeviceName = restore.RootDevice,
            BlockDeviceMappings = restore.Volumes.Select(v => new BlockDeviceMapping
            {
                DeviceName = v.DeviceName,
                Ebs = new EbsBlockDevice { SnapshotId = v.SnapshotId, DeleteOnTermination = true, VolumeType = VolumeType.Gp3 },
            }).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        return r.ImageId;
    }

    private async Task<T> Call<T>(CloudScope scope, string operation, Func<IAmazonEC2, Task<T>> call)
    {
        try
        {
            return await call(clients.Ec2(scope.AccountId, scope.Region)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            var failure = AwsFailure.From(e, scope.AccountId, scope.Region, operation);
            logger.LogWarning("{Failure}", failure.ToString());
            throw new BackupCloudException(failure.ToString(), failure.ErrorCode, failure.RequestId, e);
        }
    }
}
