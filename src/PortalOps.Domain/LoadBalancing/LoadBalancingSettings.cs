namespace PortalOps.Domain.LoadBalancing;

/// <summary>How drains wait and how long reads are kept (section <c>LoadBalancing</c>).</summary>
public sealed record LoadBalancingSettings
{
    /// <summary>Time between two looks at a draining target's health.</summary>
    public TimeSpan DrainPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a drain waits, whatever a group's delay says (AWS allows up to 3600 s).</summary>
    public TimeSpan MaxDrainWait { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Taking the last healthy target out of a target group waits for approval.</summary>
    public bool ApproveLastHealthyTarget { get; init; } = true;

    /// <summary>How long a read of one account and region serves pages before it is read again.</summary>
    public TimeSpan CacheFor { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How old a read of a scope may be for a drain to take its target groups as the candidates (then checked with one
    /// DescribeTargetHealth for the instances per candidate); older or absent, the drain reads every group's health.
    /// </summary>
    public TimeSpan RegistrationIndexAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Parallel reads (account × region, and DescribeTargetHealth per group).</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>
    /// Parallel DescribeTargetHealth calls while a drain searches groups the index does not cover. The search runs while the found
    /// registrations drain, so it is hidden inside the deregistration delay when it is done in time (1,000 groups at 200 ms: 6.3 s at 32).
    /// </summary>
    public int DrainSearchParallelism { get; init; } = 32;
}
