using System.ComponentModel.DataAnnotations;
using PortalOps.Domain.LoadBalancing;

namespace PortalOps.Jobs.LoadBalancing;

/// <summary>Load balancing (section "LoadBalancing"): drain before stop, reads, and the no-healthy-targets watch.</summary>
public sealed class LoadBalancingOptions
{
    public const string Section = "LoadBalancing";

    /// <summary>Seconds between two looks at a draining target's health during a drain.</summary>
    [Range(1, 60)]
    public int DrainPollSeconds { get; set; } = 5;

    /// <summary>The longest a drain waits before acting anyway, whatever a group's deregistration delay says.</summary>
    [Range(1, 3600)]
    public int MaxDrainWaitSeconds { get; set; } = 900;

    /// <summary>Taking the last healthy targets out of a target group (stop, reboot, terminate, deregister) waits for approval.</summary>
    public bool ApproveLastHealthyTarget { get; set; } = true;

    /// <summary>Seconds a read of one account and region serves the pages.</summary>
    [Range(0, 600)]
    public int CacheSeconds { get; set; } = 20;

    /// <summary>Parallel calls: account × region reads and DescribeTargetHealth per target group.</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 8;

    /// <summary>Parallel DescribeTargetHealth calls when a drain searches the target groups its index does not cover.</summary>
    [Range(1, 128)]
    public int DrainSearchParallelism { get; set; } = 32;

    /// <summary>Look for target groups without healthy targets every minute and tell people.</summary>
    public bool WatchHealth { get; set; } = true;

    public LoadBalancingSettings ToSettings() => new()
    {
        DrainPollInterval = TimeSpan.FromSeconds(DrainPollSeconds),
        MaxDrainWait = TimeSpan.FromSeconds(MaxDrainWaitSeconds),
        ApproveLastHealthyTarget = ApproveLastHealthyTarget,
        CacheFor = TimeSpan.FromSeconds(CacheSeconds),
        Parallelism = Parallelism,
        DrainSearchParallelism = DrainSearchParallelism,
    };
}
