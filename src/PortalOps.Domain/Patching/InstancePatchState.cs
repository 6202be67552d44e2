using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>
/// The latest patch state of one instance as the scan found it: its agent, the counts <c>DescribeInstancePatchStates</c> reports
/// (installed, missing, failed, installed-pending-reboot, and the non-compliant counts by severity) and when it was scanned.
/// </summary>
public sealed record InstancePatchState(InstanceRef Instance, string Name, Footprint Footprint, string? PatchGroup, AgentStatus Agent)
{
    /// <summary>A scan older than this says nothing: the instance counts as unknown.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(7);

    public string? BaselineId { get; init; }

    public int Installed { get; init; }

    public int Missing { get; init; }

    public int Failed { get; init; }

    public int InstalledPendingReboot { get; init; }

    public int CriticalNonCompliant { get; init; }

    public int SecurityNonCompliant { get; init; }

    public int OtherNonCompliant { get; init; }

    public DateTimeOffset? LastScanAt { get; init; }

    /// <summary>When PortalOps last read this state.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    public PatchComplianceLevel Compliance(DateTimeOffset now)
    {
        if (LastScanAt is not { } scanned || now - scanned > StaleAfter)
        {
            return PatchComplianceLevel.Unknown;
        }

        if (CriticalNonCompliant > 0)
        {
            return PatchComplianceLevel.NonCompliantCritical;
        }

        if (SecurityNonCompliant > 0)
        {
            return PatchComplianceLevel.NonCompliantSecurity;
        }

        return Missing + Failed + InstalledPendingReboot + OtherNonCompliant > 0 ? PatchComplianceLevel.NonCompliantOther : PatchComplianceLevel.Compliant;
    }

    /// <summary>This instance's state after a scan result (null: no result, the counts stay as they were).</summary>
    public InstancePatchState With(PatchState? scanned, DateTimeOffset now) =>
        scanned is null
            ? this with { UpdatedAt = now }
            : this with
            {
                BaselineId = scanned.BaselineId, Installed = scanned.Installed, Missing = scanned.Missing, Failed = scanned.Failed,
                InstalledPendingReboot = scanned.InstalledPendingReboot, CriticalNonCompliant = scanned.CriticalNonCompliant,
                SecurityNonCompliant = scanned.SecurityNonCompliant, OtherNonCompliant = scanned.OtherNonCompliant,
                LastScanAt = scanned.OperationEndTime ?? LastScanAt, UpdatedAt = now,
            };
}
