using System.Collections.Concurrent;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Aws.Compliance;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The sandbox account as the compliance scan sees it: its fleet, volumes, snapshots, images, security groups and addresses,
/// plus the settings the rest of the sandbox does not model (public sharing, detailed monitoring, EBS encryption by default),
/// spread so that a realistic share of resources violate the built-in policies. Remediations change this state, so a
/// remediated finding is resolved by the next scan.
/// </summary>
public sealed class SandboxCompliance(SandboxCloud cloud) : IComplianceSource, IRemediator
{
    private readonly ConcurrentDictionary<string, bool> madePrivate = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<CloudScope, bool> encryptionByDefault = new();
    private readonly ConcurrentDictionary<string, bool> revokedGroups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> imdsRequired = new(StringComparer.Ordinal);

    public IReadOnlyList<CloudAccount> Accounts => cloud.Accounts;

    public async Task<IReadOnlyList<ComplianceResource>> ReadAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var all = new List<ComplianceResource>();
        var images = (await cloud.SearchAsync(scope, null, null, cancellationToken).ConfigureAwait(false)).ToDictionary(i => i.ImageId, StringComparer.Ordinal);
        var index = 0;
        while (true)
        {
            var page = await cloud.QueryAsync(new InstanceQuery { AccountId = scope.AccountId, Region = scope.Region, PageIndex = index++, PageSize = InstanceQuery.MaxPageSize }, cancellationToken).ConfigureAwait(false);
            foreach (var i in page.Items)
            {
                all.Add(await InstanceAsync(i, images, cancellationToken).ConfigureAwait(false));
            }

            if (page.Items.Count < InstanceQuery.MaxPageSize)
            {
                break;
            }
        }

        foreach (var v in await cloud.VolumesAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            all.Add(new ComplianceResource(ResourceType.Volume, scope, v.VolumeId, v.Tags.GetValueOrDefault("Name") ?? v.VolumeId, v.Tags, new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.State] = v.State,
                [ResourceFields.VolumeType] = v.VolumeType,
                [ResourceFields.SizeGiB] = (long)v.SizeGiB,
                [ResourceFields.Encrypted] = v.Encrypted,
                [ResourceFields.Attached] = v.AttachedTo is not null,
            }));
        }

        foreach (var s in await cloud.SnapshotsAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            var fields = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.State] = s.State,
                [ResourceFields.SizeGiB] = (long)s.SizeGiB,
                [ResourceFields.Encrypted] = Spread(s.SnapshotId, 3) != 0,
                [ResourceFields.Public] = !madePrivate.ContainsKey(s.SnapshotId) && Spread(s.SnapshotId, 7) == 0,
            };
            if (s.StartTime is { } started)
            {
                fields[ResourceFields.CreateTime] = started;
            }

            all.Add(new ComplianceResource(ResourceType.Snapshot, scope, s.SnapshotId, s.Tags.GetValueOrDefault("Name") ?? s.SnapshotId, s.Tags, fields));
        }

        foreach (var image in await cloud.ImagesAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            var fields = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.State] = image.State,
                [ResourceFields.Name] = image.Name,
                [ResourceFields.Public] = !madePrivate.ContainsKey(image.ImageId) && Spread(image.ImageId, 4) == 0,
            };
            if (image.CreationDate is { } created)
            {
                fields[ResourceFields.CreateTime] = created;
            }

            all.Add(new ComplianceResource(ResourceType.Image, scope, image.ImageId, image.Name, new Dictionary<string, string>(), fields));
        }

        foreach (var g in await cloud.SecurityGroupsAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            var rules = revokedGroups.ContainsKey(g.GroupId)
                ? g.Inbound.Select(r => r with { Sources = r.Sources.Where(s => !WorldOpenFilter.WorldSources.Contains(s)).ToList() }).Where(r => r.Sources.Count > 0).ToList()
                : g.Inbound;
            all.Add(new ComplianceResource(ResourceType.SecurityGroup, scope, g.GroupId, g.Name, new Dictionary<string, string>(), new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.Name] = g.Name,
                [ResourceFields.VpcId] = g.VpcId ?? "",
            })
            { Inbound = rules });
        }

        foreach (var a in await cloud.AddressesAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            all.Add(new ComplianceResource(ResourceType.ElasticIp, scope, a.AllocationId, a.PublicIp, a.Tags, new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [ResourceFields.PublicIp] = a.PublicIp,
                [ResourceFields.Associated] = a.IsAssociated,
            }));
        }

        // One region of the sandbox has EBS encryption by default on, the other not.
        var encrypted = encryptionByDefault.GetValueOrDefault(scope, scope.Region == SandboxFleet.Regions[0]);
        all.Add(AwsComplianceSource.RegionSetting(scope, encrypted));
        return all;
    }

    public async Task<string?> ApplyAsync(Remediation remediation, ComplianceResource resource, IReadOnlyList<string> requiredTags, CancellationToken cancellationToken = default)
    {
        switch (remediation.Name, resource.Type)
        {
            case ("revoke-world-open", ResourceType.SecurityGroup):
                RevokeWorldOpen(resource.Id);
                break;
            case ("require-imdsv2", ResourceType.Instance):
                RequireImdsV2(resource.Id);
                break;
            case ("enable-ebs-default-encryption", ResourceType.RegionSetting):
                EnableEncryptionByDefault(resource.Scope);
                break;
            case ("make-private", _):
                MakePrivate(resource.Id);
                break;
            case ("add-missing-tags", ResourceType.Instance):
                var missing = requiredTags.Where(k => !resource.Tags.TryGetValue(k, out var v) || string.IsNullOrWhiteSpace(v)).ToDictionary(k => k, _ => Aws.Compliance.AwsRemediator.MissingTagValue);
                return await cloud.SetTagsAsync(new InstanceRef(resource.Scope.AccountId, resource.Scope.Region, resource.Id), missing, [], cancellationToken).ConfigureAwait(false);
            case ("snapshot-and-delete", ResourceType.Volume):
                return await cloud.DeleteAsync(resource.Scope, resource.Id, cancellationToken).ConfigureAwait(false);
            case ("release", ResourceType.ElasticIp):
                return await cloud.ReleaseAsync(resource.Scope, resource.Id, cancellationToken).ConfigureAwait(false);
            default:
                throw new NotSupportedException($"The sandbox has no remediation {remediation.Name} for {resource.Type.Name()}.");
        }

        return $"sandbox-{Guid.NewGuid():N}";
    }

    public void MakePrivate(string snapshotOrImageId) => madePrivate[snapshotOrImageId] = true;

    public void EnableEncryptionByDefault(CloudScope scope) => encryptionByDefault[scope] = true;

    public void RevokeWorldOpen(string groupId) => revokedGroups[groupId] = true;

    public void RequireImdsV2(string instanceId) => imdsRequired[instanceId] = true;

    private async Task<ComplianceResource> InstanceAsync(Instance i, Dictionary<string, ImageDetails> images, CancellationToken ct)
    {
        var state = i.State switch
        {
            InstanceState.ShuttingDown => "shutting-down",
            _ => i.State.ToString().ToLowerInvariant(),
        };
        var fields = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [ResourceFields.State] = state,
            [ResourceFields.InstanceType] = i.InstanceType,
            [ResourceFields.ImageId] = i.ImageId ?? "",
            [ResourceFields.PublicIp] = i.PublicIp ?? "",
            [ResourceFields.LaunchTime] = i.LaunchTime,
            [ResourceFields.DetailedMonitoring] = Spread(i.InstanceId, 3) != 0,
        };
        if (i.ImdsV2Required is { } required)
        {
            fields[ResourceFields.ImdsV2Required] = required || imdsRequired.ContainsKey(i.InstanceId);
        }

        if (i.State == InstanceState.Stopped)
        {
            // The sandbox does not keep stop times; spread them over the last 90 days.
            fields[ResourceFields.StoppedSince] = i.LaunchTime.AddDays(Spread(i.InstanceId, 90));
        }

        if (i.ImageId is { } imageId && images.TryGetValue(imageId, out var image) && image.CreationDate is { } created)
        {
            fields[ResourceFields.ImageCreationTime] = created;
        }

        if (i.Tags.TryGetValue(AwsComplianceSource.ProductionTagKey, out var env) && string.Equals(env, AwsComplianceSource.ProductionTagValue, StringComparison.OrdinalIgnoreCase)
            && await cloud.GetAsync(i.Ref, ct).ConfigureAwait(false) is { } attributes)
        {
            fields[ResourceFields.TerminationProtection] = attributes.TerminationProtection;
        }

        return new ComplianceResource(ResourceType.Instance, new CloudScope(i.AccountId, i.Region), i.InstanceId, string.IsNullOrEmpty(i.Name) ? i.InstanceId : i.Name, i.Tags, fields);
    }

    /// <summary>A stable small number from an id, to spread the settings the sandbox does not model.</summary>
    private static int Spread(string id, int modulo)
    {
        var h = 17;
        foreach (var c in id)
        {
            h = unchecked((h * 31) + c);
        }

        return (int)((uint)h % (uint)modulo);
    }
}
