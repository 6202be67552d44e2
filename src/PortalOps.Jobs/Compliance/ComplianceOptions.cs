using System.ComponentModel.DataAnnotations;

namespace PortalOps.Jobs.Compliance;

/// <summary>Compliance scans (section "Compliance").</summary>
public sealed class ComplianceOptions
{
    public const string Section = "Compliance";

    /// <summary>Scan at all (the schedules are registered either way, and do nothing when off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hours between scheduled scans of every account × region.</summary>
    [Range(1, 24)]
    public int ScanIntervalHours { get; set; } = 6;

    /// <summary>Scan once when a node starts, so a fresh install shows its posture at once.</summary>
    public bool ScanAtStart { get; set; } = true;

    /// <summary>
    /// The approval rule every exception request waits for (another Approver decides); empty: an exception is granted at once,
    /// unless an Admin's approval rule names <c>compliance.grant-exception</c>.
    /// </summary>
    [MaxLength(100)]
    public string? ExceptionApprovalRule { get; set; } = DefaultExceptionApprovalRule;

    public const string DefaultExceptionApprovalRule = "compliance exception";
}
