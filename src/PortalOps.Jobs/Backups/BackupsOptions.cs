using System.ComponentModel.DataAnnotations;
using PortalOps.Domain.Backups;

namespace PortalOps.Jobs.Backups;

/// <summary>Backup policies, runs and retention (section "Backups").</summary>
public sealed class BackupsOptions
{
    public const string Section = "Backups";

    /// <summary>Start due windows and move runs on at all (the recurring jobs are registered either way, and do nothing when off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seed the Sandbox with a policy for env=prod instances, so the pages show runs on first start.</summary>
    public bool SeedSandbox { get; set; } = true;

    /// <summary>Creating a policy, or an edit that protects less, waits for an approver (the requester never approves their own).</summary>
    public bool ApprovePolicyChanges { get; set; } = true;

    /// <summary>Create attempts per instance and window before it is reported failed.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Minutes between attempts for one instance.</summary>
    [Range(1, 120)]
    public int RetryDelayMinutes { get; set; } = 2;

    /// <summary>
    /// Snapshot sets (or images) in progress at once per run. EBS limits pending snapshots per volume and concurrent snapshot
    /// operations per account; keep this under the account's quota.
    /// </summary>
    [Range(1, 10000)]
    public int MaxInFlight { get; set; } = 100;

    /// <summary>Cross-region copies in progress at once per run: EC2 allows 20 concurrent snapshot copies per destination region by default.</summary>
    [Range(1, 100)]
    public int MaxCopiesInFlight { get; set; } = 20;

    /// <summary>AWS calls one step makes at the same time.</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 16;

    /// <summary>How late a window may still start after the scheduled time (a node that was down catches up the latest window once).</summary>
    [Range(1, 168)]
    public int CatchUpHours { get; set; } = 6;

    /// <summary>Share of Sandbox snapshots that fail (to show failures and retries on first start).</summary>
    [Range(0.0, 1.0)]
    public double SandboxFailureRate { get; set; } = 0.03;

    /// <summary>Restores (a volume, an instance, a whole instance in the DR region) wait for an approver.</summary>
    public bool ApproveRestores { get; set; } = true;

    /// <summary>Minutes a drill's instance may take to run and pass its status checks before the drill counts it failed.</summary>
    [Range(5, 720)]
    public int DrillTimeoutMinutes { get; set; } = 30;

    /// <summary>The tag that says an instance should be backed up (any value but none/no/false/off): the Unprotected report lists those no policy selects.</summary>
    [Required]
    public string ProtectTagKey { get; set; } = BackupCoverage.DefaultTagKey;

    public BackupEngineSettings Engine => new()
    {
        MaxAttempts = MaxAttempts,
        RetryDelay = TimeSpan.FromMinutes(RetryDelayMinutes),
        MaxInFlight = MaxInFlight,
        MaxCopiesInFlight = MaxCopiesInFlight,
        Parallelism = Parallelism,
    };
}
