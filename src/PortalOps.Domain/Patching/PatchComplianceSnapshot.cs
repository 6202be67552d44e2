using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>One day's compliance counts for one account and region: the points of the trend chart.</summary>
public sealed record PatchComplianceSnapshot(DateOnly Day, string AccountId, string Region, int Compliant, int Critical, int Security, int Other, int Unknown)
{
    public Footprint Footprint => Footprint.Of(AccountId, Region, null);
}
