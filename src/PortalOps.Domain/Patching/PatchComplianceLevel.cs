namespace PortalOps.Domain.Patching;

/// <summary>An instance's patch compliance: compliant, non-compliant by the worst severity missing, or unknown (no recent scan).</summary>
public enum PatchComplianceLevel
{
    Compliant,

    /// <summary>Missing or failed patches, or installed ones waiting for a reboot, none of them critical or security.</summary>
    NonCompliantOther,

    /// <summary>Missing security patches (Important), none critical.</summary>
    NonCompliantSecurity,
    NonCompliantCritical,

    /// <summary>Never scanned, or the last scan is older than the stale limit.</summary>
    Unknown,
}
