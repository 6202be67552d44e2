using PortalOps.Domain.Instances;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// A target group with the health of every registered target. <see cref="DeregistrationDelay"/> is the group's
/// <c>deregistration_delay.timeout_seconds</c> attribute (null until read: listings do not fetch attributes).
/// </summary>
public sealed record TargetGroup(
    CloudScope Scope,
    string Arn,
    string Name,
    string? Protocol,
    int? Port,
    string TargetType,
    IReadOnlyList<string> LoadBalancerArns,
    IReadOnlyList<TargetHealthEntry> Targets)
{
    /// <summary>AWS's default when the attribute was never changed.</summary>
    public static readonly TimeSpan DefaultDeregistrationDelay = TimeSpan.FromSeconds(300);

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string? HealthCheckPath { get; init; }

    public TimeSpan? DeregistrationDelay { get; init; }

    public int Healthy => Targets.Count(t => t.State == TargetHealthState.Healthy);

    public int Unhealthy => Targets.Count(t => t.State == TargetHealthState.Unhealthy);

    public int Draining => Targets.Count(t => t.State == TargetHealthState.Draining);

    /// <summary>Targets that count for serving: registered and not on their way out (initial, healthy, unhealthy, unavailable).</summary>
    public int InService => Targets.Count(t => t.State is not (TargetHealthState.Draining or TargetHealthState.Unused));

    /// <summary>The group has targets meant to serve, and none of them is healthy: traffic through it fails.</summary>
    public bool HasNoHealthyTargets => InService > 0 && Healthy == 0;

    public TargetHealthEntry? Find(string targetId) => Targets.FirstOrDefault(t => t.TargetId == targetId);

    /// <summary>Instance targets registered here that are not already draining (what a drain would take out).</summary>
    public IReadOnlyList<TargetHealthEntry> RegistrationsOf(IReadOnlySet<string> instanceIds) =>
        Targets.Where(t => instanceIds.Contains(t.TargetId) && t.State != TargetHealthState.Draining && t.Reason != NotRegistered).ToList();

    /// <summary>The reason DescribeTargetHealth gives for a target asked about by id that is not in the group.</summary>
    public const string NotRegistered = "Target.NotRegistered";
}

/// <summary>Everything load balancing in one account and region, as read at <see cref="ReadAt"/>.</summary>
public sealed record LoadBalancingView(CloudScope Scope, IReadOnlyList<LoadBalancer> LoadBalancers, IReadOnlyList<TargetGroup> TargetGroups, DateTimeOffset ReadAt)
{
    public IReadOnlyList<TargetGroup> TargetGroupsOf(LoadBalancer lb) =>
        TargetGroups.Where(t => t.LoadBalancerArns.Contains(lb.Arn, StringComparer.Ordinal)).ToList();
}
