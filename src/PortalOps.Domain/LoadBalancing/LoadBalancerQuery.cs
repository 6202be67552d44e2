namespace PortalOps.Domain.LoadBalancing;

/// <summary>Server-side filter and paging of the load balancer list.</summary>
public sealed record LoadBalancerQuery
{
    public const int MaxPageSize = 200;

    /// <summary>Matched against name, DNS name and target group names (case-insensitive).</summary>
    public string? Text { get; init; }

    public string? AccountId { get; init; }

    public string? Region { get; init; }

    public LoadBalancerKind? Kind { get; init; }

    /// <summary>Only load balancers with a target group that has no healthy targets, or with unhealthy targets.</summary>
    public bool OnlyTrouble { get; init; }

    public int PageIndex { get; init; }

    public int PageSize { get; init; } = 25;
}

/// <summary>One row of the list: the load balancer and a tally of its target groups' health.</summary>
public sealed record LoadBalancerRow(LoadBalancer LoadBalancer, int TargetGroups, int Healthy, int Unhealthy, int Draining, int Targets, int GroupsWithoutHealthy)
{
    public bool InTrouble => Unhealthy > 0 || GroupsWithoutHealthy > 0;
}

/// <summary>A load balancer with the target groups (with their deregistration delay) the reader may see.</summary>
public sealed record LoadBalancerDetail(LoadBalancer LoadBalancer, IReadOnlyList<TargetGroup> TargetGroups, DateTimeOffset ReadAt);

/// <summary>Healthy, unhealthy and draining targets of one load balancer at one moment, for the health chart.</summary>
public sealed record HealthSample(DateTimeOffset At, int Healthy, int Unhealthy, int Draining, int Other);
