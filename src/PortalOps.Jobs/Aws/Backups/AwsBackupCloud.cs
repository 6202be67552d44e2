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
/// Backups on EC2: one multi-volume CreateSnapshots per instance (crash-consistent), CreateImage, CopySnapshot/CopyImage into the DR
/// region with its KMS key, DescribeSnapshots/DescribeImages by our tags at the largest page (1000), DeleteSnapshot/DeregisterImage, and
/// restores. Throttling is retried by the SDK's standard retry mode (<see cref="AwsOptions.MaxAttempts"/>); any other error comes back as a
/// <see cref="BackupCloudException"/> naming the operation, AWS's error code and request id, for the run to record against the instance.
/// </summary>
public sealed class AwsBackupCloud(AwsClients clients, ILogger<AwsBackupCloud> logger) : IBackupCloud
{
    public const int PageSize = 1000;
    public const string RestoreTokenTag = "portalops:restore-token";

    public Task<BackupCreation> CreateSnapshotsAsync(InstanceRef instance, IReadOnlyList<string> deviceNames, IReadOnlyDictionary<string, string> tags, string description, CancellationToken cancellationToken = default) =>
        Call(instance.AccountId, instance.Region, "CreateSnapshots", async ec2 =>
        {
            var spec = new InstanceSpecification { InstanceId = instance.InstanceId };
            if (deviceNames.Count > 0)
            {
                // Only the chosen devices: exclude the boot volume unless chosen, and every other data volume.
                var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instance.InstanceId] }, cancellationToken).ConfigureAwait(false);
                var ec2Instance = described.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault();
                var chosen = deviceNames.Select(Device).ToHashSet(StringComparer.Ordinal);
                var mappings = ec2Instance?.BlockDeviceMappings ?? [];
                spec.ExcludeBootVolume = !chosen.Contains(Device(ec2Instance?.RootDeviceName ?? string.Empty));
                spec.ExcludeDataVolumeIds = mappings
                    .Where(m => m.Ebs?.VolumeId is not null && m.DeviceName != ec2Instance?.RootDeviceName && !chosen.Contains(Device(m.DeviceName)))
                    .Select(m => m.Ebs.VolumeId).ToList();
                if (spec.ExcludeDataVolumeIds.Count == 0)
                {
                    spec.ExcludeDataVolumeIds = null;
                }
            }

            var r = await ec2.CreateSnapshotsAsync(new CreateSnapshotsRequest
            {
                InstanceSpecification = spec,
                Description = Fit(description, 255),
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = Ec2Tags(tags) }],
            }, cancellationToken).ConfigureAwait(false);
            var ids = (r.Snapshots ?? []).Select(s => s.SnapshotId).ToList();
            logger.LogInformation("CreateSnapshots {Instance}: {Count} snapshot(s) (request {RequestId})", instance, ids.Count, r.ResponseMetadata?.RequestId);
            return new BackupCreation(ids, r.ResponseMetadata?.RequestId);
        });

    public Task<BackupCreation> CreateImageAsync(InstanceRef instance, string name, bool reboot, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        Call(instance.AccountId, instance.Region, "CreateImage", async ec2 =>
        {
            var r = await ec2.CreateImageAsync(new CreateImageRequest
            {
                InstanceId = instance.InstanceId,
                Name = Fit(name, 128),
                NoReboot = !reboot,
                TagSpecifications =
                [
                    new TagSpecification { ResourceType = ResourceType.Image, Tags = Ec2Tags(tags) },
                    new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = Ec2Tags(tags) },
                ],
            }, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("CreateImage {Instance}: {Image} (request {RequestId})", instance, r.ImageId, r.ResponseMetadata?.RequestId);
            return new BackupCreation([r.ImageId], r.ResponseMetadata?.RequestId);
        });

    public Task<BackupCreation> CopyAsync(RecoveryPoint point, CloudScope destination, string? kmsKeyId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        Call(destination.AccountId, destination.Region, point.Kind == RecoveryPointKind.Image ? "CopyImage" : "CopySnapshot", async ec2 =>
        {
            if (destination.AccountId != point.Scope.AccountId && point.Kind == RecoveryPointKind.Snapshot)
            {
                // Another account copies only what it may read: share the snapshot with it first.
                await clients.Ec2(point.Scope.AccountId, point.Scope.Region).ModifySnapshotAttributeAsync(new ModifySnapshotAttributeRequest
                {
                    SnapshotId = point.Id,
                    Attribute = SnapshotAttributeName.CreateVolumePermission,
                    OperationType = OperationType.Add,
                    UserIds = [destination.AccountId],
                }, cancellationToken).ConfigureAwait(false);
            }

            var encrypt = string.IsNullOrWhiteSpace(kmsKeyId) ? (bool?)null : true;
            if (point.Kind == RecoveryPointKind.Snapshot)
            {
                var r = await ec2.CopySnapshotAsync(new CopySnapshotRequest
                {
                    SourceRegion = point.Scope.Region,
                    SourceSnapshotId = point.Id,
                    Description = Fit($"PortalOps copy of {point.Id} from {point.Scope.Region}", 255),
                    Encrypted = encrypt,
                    KmsKeyId = encrypt is null ? null : kmsKeyId,
                    TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = Ec2Tags(tags) }],
                }, cancellationToken).ConfigureAwait(false);
                return new BackupCreation([r.SnapshotId], r.ResponseMetadata?.RequestId);
            }

            var image = await ec2.CopyImageAsync(new CopyImageRequest
            {
                SourceRegion = point.Scope.Region,
                SourceImageId = point.Id,
                Name = Fit($"portalops-copy-{point.Id}-{point.Window?.Replace(":", string.Empty, StringComparison.Ordinal)}", 128),
                Encrypted = encrypt,
                KmsKeyId = encrypt is null ? null : kmsKeyId,
            }, cancellationToken).ConfigureAwait(false);
            await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [image.ImageId], Tags = Ec2Tags(tags) }, cancellationToken).ConfigureAwait(false);
            return new BackupCreation([image.ImageId], image.ResponseMetadata?.RequestId);
        });

    public Task<IReadOnlyList<RecoveryPoint>> WindowPointsAsync(CloudScope scope, BackupWindow window, RecoveryPointKind kind, CancellationToken cancellationToken = default) =>
        ListAsync(scope, kind,
        [
            new Filter("tag:" + BackupTags.Policy, [window.PolicyId.ToString("N")]),
            new Filter("tag:" + BackupTags.Rule, [window.RuleName]),
            new Filter("tag:" + BackupTags.Window, [BackupTags.WindowText(window.Start)]),
        ], cancellationToken);

    public Task<IReadOnlyList<RecoveryPoint>> RecoveryPointsAsync(CloudScope scope, Guid policyId, RecoveryPointKind kind, CancellationToken cancellationToken = default) =>
        ListAsync(scope, kind, [new Filter("tag:" + BackupTags.Policy, [policyId.ToString("N")])], cancellationToken);

    public Task<RecoveryPoint?> FindAsync(CloudScope scope, string id, CancellationToken cancellationToken = default) =>
        Call(scope.AccountId, scope.Region, id.StartsWith("ami-", StringComparison.Ordinal) ? "DescribeImages" : "DescribeSnapshots", async ec2 =>
        {
            try
            {
                if (id.StartsWith("ami-", StringComparison.Ordinal))
                {
                    var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [id] }, cancellationToken).ConfigureAwait(false);
                    return images.Images?.FirstOrDefault() is { } image ? ToPoint(scope, image) : null;
                }

                var snapshots = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [id] }, cancellationToken).ConfigureAwait(false);
                return snapshots.Snapshots?.FirstOrDefault() is { } snapshot ? ToPoint(scope, snapshot) : null;
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode is "InvalidSnapshot.NotFound" or "InvalidAMIID.NotFound" or "InvalidSnapshotID.Malformed" or "InvalidAMIID.Malformed")
            {
                return (RecoveryPoint?)null;
            }
        });

    public Task<IReadOnlySet<string>> SnapshotsBehindImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Call<IReadOnlySet<string>>(scope.AccountId, scope.Region, "DescribeImages", async ec2 =>
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            string? token = null;
            do
            {
                var r = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], MaxResults = PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
                foreach (var image in r.Images ?? [])
                {
                    foreach (var m in image.BlockDeviceMappings ?? [])
                    {
                        if (m.Ebs?.SnapshotId is { Length: > 0 } id)
                        {
                            set.Add(id);
                        }
                    }
                }

                token = Next(r.NextToken);
            }
            while (token is not null);
            return set;
        });

    public Task<BackupResult> DeleteAsync(RecoveryPoint point, CancellationToken cancellationToken = default) =>
        Call(point.Scope.AccountId, point.Scope.Region, point.Kind == RecoveryPointKind.Image ? "DeregisterImage" : "DeleteSnapshot", async ec2 =>
        {
            if (point.Kind == RecoveryPointKind.Snapshot)
            {
                return await DeleteSnapshotAsync(ec2, point.Id, cancellationToken).ConfigureAwait(false);
            }

            List<string> snapshots;
            try
            {
                var described = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [point.Id] }, cancellationToken).ConfigureAwait(false);
                snapshots = (described.Images ?? []).SelectMany(i => i.BlockDeviceMappings ?? []).Select(m => m.Ebs?.SnapshotId).OfType<string>().ToList();
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode is "InvalidAMIID.NotFound" or "InvalidAMIID.Unavailable")
            {
                return new BackupResult(point.Id, e.RequestId);
            }

            var r = await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = point.Id }, cancellationToken).ConfigureAwait(false);
            foreach (var snapshot in snapshots)
            {
                await DeleteSnapshotAsync(ec2, snapshot, cancellationToken).ConfigureAwait(false);
            }

            return new BackupResult(point.Id, r.ResponseMetadata?.RequestId);
        });

    public Task<BackupResult> RestoreVolumeAsync(CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) =>
        Call(scope.AccountId, scope.Region, "CreateVolume", async ec2 =>
        {
            var token = AwsLauncher.ClientToken(idempotencyKey);
            var existing = await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("tag:" + RestoreTokenTag, [token])] }, cancellationToken).ConfigureAwait(false);
            var volume = existing.Volumes?.FirstOrDefault();
            string? requestId = null;
            if (volume is null)
            {
                var created = await ec2.CreateVolumeAsync(new CreateVolumeRequest
                {
                    SnapshotId = restore.SnapshotId,
                    AvailabilityZone = restore.AvailabilityZone,
                    VolumeType = new VolumeType(restore.VolumeType),
                    Size = restore.SizeGiB,
                    Encrypted = restore.Encrypted,
                    KmsKeyId = restore.Encrypted ? restore.KmsKeyId : null,
                    TagSpecifications =
                    [
                        new TagSpecification
                        {
                            ResourceType = ResourceType.Volume,
                            Tags = [new Ec2Tag(RestoreTokenTag, token), new Ec2Tag("portalops:restored-from", restore.SnapshotId), new Ec2Tag("Name", $"restore-{restore.SnapshotId}")],
                        },
                    ],
                }, cancellationToken).ConfigureAwait(false);
                volume = created.Volume;
                requestId = created.ResponseMetadata?.RequestId;
                logger.LogInformation("Restored volume {Volume} from {Snapshot} in {Zone} (request {RequestId})", volume.VolumeId, restore.SnapshotId, restore.AvailabilityZone, requestId);
            }

            if (restore.AttachToInstanceId is { Length: > 0 } instanceId && (volume.Attachments ?? []).Count == 0)
            {
                await WaitAvailableAsync(ec2, volume.VolumeId, cancellationToken).ConfigureAwait(false);
                var attached = await ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = volume.VolumeId, InstanceId = instanceId, Device = restore.Device ?? "/dev/sdf" }, cancellationToken).ConfigureAwait(false);
                requestId ??= attached.ResponseMetadata?.RequestId;
            }

            return new BackupResult(volume.VolumeId, requestId);
        });

    public Task<BackupResult> RestoreInstanceAsync(CloudScope scope, InstanceRestore restore, string idempotencyKey, CancellationToken cancellationToken = default) =>
        Call(scope.AccountId, scope.Region, "RunInstances", async ec2 =>
        {
            // ClientToken makes EC2 launch once; the token tag also finds the instance when an earlier answer was lost.
            var token = AwsLauncher.ClientToken(idempotencyKey);
            var found = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = [new Filter("tag:" + RestoreTokenTag, [token]), new Filter("instance-state-name", ["pending", "running", "stopping", "stopped"])],
            }, cancellationToken).ConfigureAwait(false);
            if (found.Reservations?.SelectMany(x => x.Instances ?? []).FirstOrDefault() is { } existing)
            {
                return new BackupResult(existing.InstanceId, null);
            }

            var tags = restore.Tags.Where(t => !t.Key.StartsWith("aws:", StringComparison.Ordinal) && !t.Key.StartsWith("portalops:", StringComparison.Ordinal))
                .Select(t => new Ec2Tag(t.Key, t.Value)).ToList();
            tags.Add(new Ec2Tag("portalops:restored-from", restore.ImageId));
            tags.Add(new Ec2Tag(RestoreTokenTag, token));
            var r = await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = restore.ImageId,
                InstanceType = new InstanceType(restore.InstanceType),
                MinCount = 1,
                MaxCount = 1,
                SubnetId = restore.SubnetId,
                Placement = restore.SubnetId is null && restore.AvailabilityZone is { Length: > 0 } zone ? new Placement { AvailabilityZone = zone } : null,
                ClientToken = token,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = tags }],
            }, cancellationToken).ConfigureAwait(false);
            var id = r.Reservation.Instances[0].InstanceId;
            logger.LogInformation("Restored instance {Instance} from {Image} (request {RequestId})", id, restore.ImageId, r.ResponseMetadata?.RequestId);
            return new BackupResult(id, r.ResponseMetadata?.RequestId);
        });

    private Task<IReadOnlyList<RecoveryPoint>> ListAsync(CloudScope scope, RecoveryPointKind kind, List<Filter> filters, CancellationToken cancellationToken) =>
        Call<IReadOnlyList<RecoveryPoint>>(scope.AccountId, scope.Region, kind == RecoveryPointKind.Image ? "DescribeImages" : "DescribeSnapshots", async ec2 =>
        {
            var list = new List<RecoveryPoint>();
            string? token = null;
            do
            {
                if (kind == RecoveryPointKind.Snapshot)
                {
                    var r = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], Filters = filters, MaxResults = PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
                    list.AddRange((r.Snapshots ?? []).Select(s => ToPoint(scope, s)));
                    token = Next(r.NextToken);
                }
                else
                {
                    var r = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = filters, MaxResults = PageSize, NextToken = token }, cancellationToken).ConfigureAwait(false);
                    list.AddRange((r.Images ?? []).Select(i => ToPoint(scope, i)));
                    token = Next(r.NextToken);
                }
            }
            while (token is not null);
            return list;
        });

    internal static RecoveryPoint ToPoint(CloudScope scope, Snapshot s)
    {
        var tags = Ec2Mapping.Tags(s.Tags);
        var state = s.State?.Value switch
        {
            "completed" => RecoveryPointState.Completed,
            "error" => RecoveryPointState.Error,
            _ => RecoveryPointState.Pending,
        };
        // A point's age is its window's (the moment it stands for), so retention counts windows, not how long EBS took.
        var created = WindowOf(tags) ?? (s.StartTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.MinValue);
        return new RecoveryPoint(scope, s.SnapshotId, RecoveryPointKind.Snapshot, state, created, tags,
            tags.GetValueOrDefault(BackupTags.Volume) ?? s.VolumeId, s.VolumeSize ?? 0, s.StateMessage);
    }

    internal static RecoveryPoint ToPoint(CloudScope scope, Image i)
    {
        var tags = Ec2Mapping.Tags(i.Tags);
        var state = i.State?.Value switch
        {
            "available" => RecoveryPointState.Completed,
            "failed" or "error" or "invalid" or "deregistered" => RecoveryPointState.Error,
            _ => RecoveryPointState.Pending,
        };
        var created = WindowOf(tags) ?? Protocol.Xml.ParseDate(i.CreationDate) ?? DateTimeOffset.MinValue;
        return new RecoveryPoint(scope, i.ImageId, RecoveryPointKind.Image, state, created, tags, null,
            (i.BlockDeviceMappings ?? []).Sum(m => m.Ebs?.VolumeSize ?? 0), i.StateReason?.Message);
    }

    private static DateTimeOffset? WindowOf(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(BackupTags.Window, out var w) && DateTimeOffset.TryParse(w, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private static async Task<BackupResult> DeleteSnapshotAsync(IAmazonEC2 ec2, string snapshotId, CancellationToken cancellationToken)
    {
        try
        {
            var r = await ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, cancellationToken).ConfigureAwait(false);
            return new BackupResult(snapshotId, r.ResponseMetadata?.RequestId);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidSnapshot.NotFound")
        {
            return new BackupResult(snapshotId, e.RequestId);
        }
    }

    private static async Task WaitAvailableAsync(IAmazonEC2 ec2, string volumeId, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 60; i++)
        {
            var r = await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [volumeId] }, cancellationToken).ConfigureAwait(false);
            if (r.Volumes?.FirstOrDefault()?.State?.Value == "available")
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }

        throw new BackupCloudException($"Volume {volumeId} did not become available within two minutes; it was not attached.");
    }

    private async Task<T> Call<T>(string accountId, string region, string operation, Func<IAmazonEC2, Task<T>> call)
    {
        try
        {
            return await call(clients.Ec2(accountId, region)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            var failure = AwsFailure.From(e, accountId, region, operation);
            logger.LogWarning("{Failure}", failure.ToString());
            throw new BackupCloudException(failure.ToString(), failure.ErrorCode, failure.RequestId, e);
        }
    }

    private static List<Ec2Tag> Ec2Tags(IReadOnlyDictionary<string, string> tags) => tags.Select(t => new Ec2Tag(t.Key, t.Value)).ToList();

    private static string Device(string name) => name.StartsWith("/dev/", StringComparison.Ordinal) ? name[5..].Replace("xvd", "sd", StringComparison.Ordinal) : name.Replace("xvd", "sd", StringComparison.Ordinal);

    private static string? Next(string? token) => string.IsNullOrEmpty(token) ? null : token;

    private static string Fit(string text, int max) => text.Length <= max ? text : text[..max];
}
