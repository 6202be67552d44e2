using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Instances;

namespace PortalOps.Jobs.Aws.Backups;

/// <summary>
/// EBS snapshots and AMIs. Each create carries a <see cref="TokenTag"/> tag with its idempotency key and looks for it
/// first, so calling twice with the same key makes one snapshot or image.
/// </summary>
public sealed class AwsSnapshots(AwsClients clients, ILogger<AwsSnapshots> logger) : ISnapshots
{
    public const string TokenTag = "portalops:request-token";

    public async Task<BackupResult> CreateSnapshotAsync(CloudScope scope, string volumeId, string description, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var token = AwsLauncher.ClientToken(idempotencyKey);
        var existing = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], Filters = [new Filter("tag:" + TokenTag, [token])] }, cancellationToken).ConfigureAwait(false);
        if (existing.Snapshots?.FirstOrDefault() is { } found)
        {
            return new BackupResult(found.SnapshotId, null);
        }

        await DryRunAsync(() => ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = volumeId, DryRun = true }, cancellationToken)).ConfigureAwait(false);
        var r = await ec2.CreateSnapshotAsync(new CreateSnapshotRequest
        {
            VolumeId = volumeId,
            Description = description,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [new Tag(TokenTag, token)] }],
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Snapshot {Snapshot} of {Volume} in {Scope} (request {RequestId})", r.Snapshot.SnapshotId, volumeId, scope, r.ResponseMetadata.RequestId);
        return new BackupResult(r.Snapshot.SnapshotId, r.ResponseMetadata.RequestId);
    }

    public async Task<BackupResult> DeleteSnapshotAsync(CloudScope scope, string snapshotId, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        await DryRunAsync(() => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId, DryRun = true }, cancellationToken)).ConfigureAwait(false);
        try
        {
            var r = await ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, cancellationToken).ConfigureAwait(false);
            return new BackupResult(snapshotId, r.ResponseMetadata.RequestId);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidSnapshot.NotFound")
        {
            return new BackupResult(snapshotId, e.RequestId);
        }
    }

    public async Task<BackupResult> CreateImageAsync(InstanceRef instance, string name, bool reboot, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(instance.AccountId, instance.Region);
        var token = AwsLauncher.ClientToken(idempotencyKey);
        var existing = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = [new Filter("tag:" + TokenTag, [token])] }, cancellationToken).ConfigureAwait(false);
        if (existing.Images?.FirstOrDefault() is { } found)
        {
            return new BackupResult(found.ImageId, null);
        }

        var r = await ec2.CreateImageAsync(new CreateImageRequest
        {
            InstanceId = instance.InstanceId,
            Name = name,
            NoReboot = !reboot,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag(TokenTag, token)] }],
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Image {Image} of {Instance} (request {RequestId})", r.ImageId, instance, r.ResponseMetadata.RequestId);
        return new BackupResult(r.ImageId, r.ResponseMetadata.RequestId);
    }

    public async Task<BackupResult> DeregisterImageAsync(CloudScope scope, string imageId, CancellationToken cancellationToken = default)
    {
        var r = await clients.Ec2(scope.AccountId, scope.Region).DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId }, cancellationToken).ConfigureAwait(false);
        return new BackupResult(imageId, r.ResponseMetadata.RequestId);
    }

    private async Task DryRunAsync(Func<Task> call)
    {
        if (!clients.Options.DryRunFirst)
        {
            return;
        }

        try
        {
            await call().ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "DryRunOperation")
        {
        }
    }
}
