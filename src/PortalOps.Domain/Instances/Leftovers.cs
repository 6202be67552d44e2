namespace PortalOps.Domain.Instances;

/// <summary>An Elastic IP address, and what it is attached to (nothing: it is billed while idle).</summary>
public sealed record AddressInfo(CloudScope Scope, string AllocationId, string PublicIp, string? AssociationId, string? InstanceId, IReadOnlyDictionary<string, string> Tags)
{
    public bool IsAssociated => !string.IsNullOrEmpty(AssociationId) || !string.IsNullOrEmpty(InstanceId);
}

/// <summary>Lists and releases Elastic IP addresses. Releasing one that is already gone succeeds.</summary>
public interface IElasticIps
{
    Task<IReadOnlyList<AddressInfo>> AddressesAsync(CloudScope scope, CancellationToken cancellationToken = default);

    /// <summary>Releases an unassociated address; returns the provider's request id.</summary>
    Task<string?> ReleaseAsync(CloudScope scope, string allocationId, CancellationToken cancellationToken = default);
}

/// <summary>Deletes EBS volumes. Deleting one that is already gone succeeds; an attached volume is refused by the provider.</summary>
public interface IVolumes
{
    Task<string?> DeleteAsync(CloudScope scope, string volumeId, CancellationToken cancellationToken = default);
}
