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
}
