using System.ComponentModel.DataAnnotations;

namespace PortalOps.Jobs.Patching;

/// <summary>Patch scans and runs (section "Patching").</summary>
public sealed class PatchingOptions
{
    public const string Section = "Patching";

    /// <summary>Hours between scans (AWS-RunPatchBaseline Scan on every online agent), 1 to 24; the scan runs at minute 0 of every such hour.</summary>
    [Range(1, 24)]
    public int ScanIntervalHours { get; set; } = 6;

    /// <summary>Scan and run patches at all (the recurring jobs are registered either way, and do nothing when off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seed the Sandbox with a baseline per OS and a "web" patch group, so the pages show a run on first start.</summary>
    public bool SeedSandbox { get; set; } = true;

    public string ScanCron => ScanIntervalHours == 24 ? "0 3 * * *" : $"0 */{ScanIntervalHours} * * *";
}
