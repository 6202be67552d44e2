using System.ComponentModel.DataAnnotations;
using PortalOps.Domain.Costs;

namespace PortalOps.Jobs.Costs;

/// <summary>Cost scans and recommendations (section "Costs"). The Cost Explorer cache is <c>Aws:CostCacheMinutes</c>.</summary>
public sealed class CostsOptions
{
    public const string Section = "Costs";

    /// <summary>Scan at all (the schedule is registered either way, and does nothing when off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When the daily scan runs (cron, UTC).</summary>
    [Required]
    public string ScanCron { get; set; } = "23 4 * * *";

    /// <summary>Scan when a node starts if today has no scan yet, so a fresh install shows recommendations at once.</summary>
    public bool ScanAtStart { get; set; } = true;

    /// <summary>Days of hourly utilization the rightsizing rules look at.</summary>
    [Range(3, 15)]
    public int LookbackDays { get; set; } = 14;

    /// <summary>Spare capacity a resize keeps above the observed peak (0.25: the peak stays at or under 80 % of the new type).</summary>
    [Range(0.0, 2.0)]
    public double Headroom { get; set; } = 0.25;

    /// <summary>CPU p95 (%) under which an instance with little network traffic counts as idle.</summary>
    [Range(0.0, 50.0)]
    public double IdleCpuPercent { get; set; } = 5;

    /// <summary>CPU p95 (%) above which an instance keeps its size.</summary>
    [Range(1.0, 100.0)]
    public double UnderusedCpuPercent { get; set; } = 40;

    /// <summary>Age (days) past which a snapshot no backup policy keeps counts as old.</summary>
    [Range(7, 3650)]
    public int SnapshotMaxAgeDays { get; set; } = 90;

    /// <summary>When the AWS Price List is read (cron, UTC); a read within the last seven days is not repeated.</summary>
    [Required]
    public string PriceRefreshCron { get; set; } = "41 3 * * 1";

    /// <summary>How often resizes approved for a later time or a maintenance window are looked at (minutes).</summary>
    [Range(1, 60)]
    public int ScheduledResizeMinutes { get; set; } = 5;

    public SnapshotSettings ToSnapshotSettings() => new() { UnmanagedMaxAgeDays = SnapshotMaxAgeDays };

    public RightsizingSettings ToSettings() => new()
    {
        LookbackDays = LookbackDays, Headroom = Headroom, IdleCpuP95 = IdleCpuPercent, UnderusedCpuP95 = UnderusedCpuPercent,
    };
}
