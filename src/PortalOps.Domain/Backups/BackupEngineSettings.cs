namespace PortalOps.Domain.Backups;

/// <summary>How hard the backup engine pushes the cloud (bound from the Backups section).</summary>
public sealed record BackupEngineSettings
{
    /// <summary>Create attempts per instance and window (each after a failed or errored snapshot) before the item is reported failed.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Wait between attempts.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Snapshot sets (or images) in progress at once per run. EC2 limits concurrent snapshots per volume and pending copies per
    /// destination region (20 by default, a quota that can be raised): the engine never has more in flight than this.
    /// </summary>
    public int MaxInFlight { get; init; } = 100;

    /// <summary>Cross-region copies in progress at once per run (EC2's default is 20 concurrent copies per destination region).</summary>
    public int MaxCopiesInFlight { get; init; } = 20;

    /// <summary>How long one step may hold a run before another worker may take it over (a step that died).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Calls the engine makes at the same time within one step.</summary>
    public int Parallelism { get; init; } = 16;
}
