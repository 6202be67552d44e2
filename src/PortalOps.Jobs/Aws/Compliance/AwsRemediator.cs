using Amazon.EC2;
using Amazon.EC2.Model;
using PortalOps.Domain.Compliance;
using ResourceType = PortalOps.Domain.Compliance.ResourceType;

namespace PortalOps.Jobs.Aws.Compliance;

/// <summary>The remediations on EC2, one call each (two for a volume: snapshot, then delete). Each is a no-op when already done.</summary>
public sealed class AwsRemediator(AwsClients clients) : IRemediator
{
    public const string MissingTagValue = "unassigned";

    public async Task<string?> ApplyAsync(Remediation remediation, ComplianceResource resource, IReadOnlyList<string> requiredTags, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(resource.Scope.AccountId, resource.Scope.Region);
        switch (remediation.Name, resource.Type)
        {
            case ("revoke-world-open", ResourceType.SecurityGroup):
            {
                var open = resource.Inbound.Where(r => r.Sources.Any(s => WorldOpenFilter.WorldSources.Contains(s))).ToList();
                if (open.Count == 0)
                {
                    return null;
                }

                var r = await ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
                {
                    GroupId = resource.Id,
                    IpPermissions = open.Select(rule => new IpPermission
                    {
                        IpProtocol = rule.Protocol,
                        FromPort = rule.Protocol == "-1" ? null : rule.FromPort,
                        ToPort = rule.Protocol == "-1" ? null : rule.ToPort,
                        Ipv4Ranges = rule.Sources.Where(s => s == "0.0.0.0/0").Select(s => new IpRange { CidrIp = s }).ToList(),
                        Ipv6Ranges = rule.Sources.Where(s => s == "::/0").Select(s => new Ipv6Range { CidrIpv6 = s }).ToList(),
                    }).ToList(),
                }, cancellationToken).ConfigureAwait(false);
                return r.ResponseMetadata?.RequestId;
            }

            case ("require-imdsv2", ResourceType.Instance):
                return (await ec2.ModifyInstanceMetadataOptionsAsync(new ModifyInstanceMetadataOptionsRequest { InstanceId = resource.Id, HttpTokens = HttpTokensState.Required }, cancellationToken)
                    .ConfigureAwait(false)).ResponseMetadata?.RequestId;
            case ("enable-ebs-default-encryption", ResourceType.RegionSetting):
                return (await ec2.EnableEbsEncryptionByDefaultAsync(new EnableEbsEncryptionByDefaultRequest(), cancellationToken).ConfigureAwait(false)).ResponseMetadata?.RequestId;
            case ("make-private", ResourceType.Snapshot):
                return (await ec2.ModifySnapshotAttributeAsync(new ModifySnapshotAttributeRequest
                {
                    SnapshotId = resource.Id,
                    Attribute = SnapshotAttributeName.CreateVolumePermission,
                    OperationType = OperationType.Remove,
                    GroupNames = ["all"],
                }, cancellationToken).ConfigureAwait(false)).ResponseMetadata?.RequestId;
            case ("make-private", ResourceType.Image):
                return (await ec2.ModifyImageAttributeAsync(new ModifyImageAttributeRequest
                {
                    ImageId = resource.Id,
                    LaunchPermission = new LaunchPermissionModifications { Remove = [new LaunchPermission { Group = PermissionGroup.All }] },
                }, cancellationToken).ConfigureAwait(false)).ResponseMetadata?.RequestId;
            case ("add-missing-tags", _):
            {
                var missing = requiredTags.Where(k => !resource.Tags.TryGetValue(k, out var v) || string.IsNullOrWhiteSpace(v)).ToList();
                return missing.Count == 0
                    ? null
                    : (await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [resource.Id], Tags = missing.Select(k => new Tag(k, MissingTagValue)).ToList() }, cancellationToken)
                        .ConfigureAwait(false)).ResponseMetadata?.RequestId;
            }

            case ("snapshot-and-delete", ResourceType.Volume):
            {
                var snapshot = await ec2.CreateSnapshotAsync(new CreateSnapshotRequest
                {
                    VolumeId = resource.Id,
                    Description = $"Before deleting unattached volume {resource.Id} (compliance remediation)",
                    TagSpecifications = resource.Tags.Count == 0 ? null : [new TagSpecification { ResourceType = Amazon.EC2.ResourceType.Snapshot, Tags = resource.Tags.Select(t => new Tag(t.Key, t.Value)).ToList() }],
                }, cancellationToken).ConfigureAwait(false);
                var deleted = await ec2.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = resource.Id }, cancellationToken).ConfigureAwait(false);
                return $"{snapshot.ResponseMetadata?.RequestId},{deleted.ResponseMetadata?.RequestId}";
            }

            case ("release", ResourceType.ElasticIp):
                return (await ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = resource.Id }, cancellationToken).ConfigureAwait(false)).ResponseMetadata?.RequestId;
            default:
                throw new NotSupportedException($"No remediation {remediation.Name} for {resource.Type.Name()}.");
        }
    }
}
