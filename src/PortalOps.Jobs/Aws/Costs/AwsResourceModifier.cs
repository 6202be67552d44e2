using Amazon.EC2.Model;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Aws.Costs;

/// <summary>Instance type changes (ModifyInstanceAttribute InstanceType, on a stopped instance) and volume type changes (ModifyVolume).</summary>
public sealed class AwsResourceModifier(AwsClients clients) : IResourceModifier
{
    public async Task<string?> ChangeInstanceTypeAsync(InstanceRef instance, string instanceType, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(instance.AccountId, instance.Region);
        var r = await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = instance.InstanceId, InstanceType = instanceType }, cancellationToken).ConfigureAwait(false);
        return r.ResponseMetadata?.RequestId;
    }

    public async Task<string?> ChangeVolumeTypeAsync(CloudScope scope, string volumeId, string volumeType, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        var r = await ec2.ModifyVolumeAsync(new ModifyVolumeRequest { VolumeId = volumeId, VolumeType = volumeType }, cancellationToken).ConfigureAwait(false);
        return r.ResponseMetadata?.RequestId;
    }
}
