using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>Changes what a resource is, in place: an instance's type (while it is stopped) and a volume's type. Each is safe to repeat.</summary>
public interface IResourceModifier
{
    /// <summary>Sets a stopped instance's type; returns the provider's request id.</summary>
    Task<string?> ChangeInstanceTypeAsync(InstanceRef instance, string instanceType, CancellationToken cancellationToken = default);

    /// <summary>Changes an EBS volume's type without detaching it (EC2 ModifyVolume); returns the provider's request id.</summary>
    Task<string?> ChangeVolumeTypeAsync(CloudScope scope, string volumeId, string volumeType, CancellationToken cancellationToken = default);
}
