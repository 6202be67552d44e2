using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// Reads everything the policies look at in one account × region, each resource type once.
/// Throws when the region cannot be read in full; the scan then leaves that region's findings as they were.
/// </summary>
public interface IComplianceSource
{
    Task<IReadOnlyList<ComplianceResource>> ReadAsync(CloudScope scope, CancellationToken cancellationToken = default);
}
