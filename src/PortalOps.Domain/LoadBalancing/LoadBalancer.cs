using PortalOps.Domain.Instances;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>Application, network or gateway load balancer (ELBv2's <c>Type</c>).</summary>
public enum LoadBalancerKind
{
    Application,
    Network,
    Gateway,
}

/// <summary>An ALB or NLB with its listeners (and their rules). Target groups are listed beside it and name it by ARN.</summary>
public sealed record LoadBalancer(
    CloudScope Scope,
    string Arn,
    string Name,
    LoadBalancerKind Kind,
    string Scheme,
    string? DnsName,
    string State,
    string? VpcId,
    IReadOnlyList<string> AvailabilityZones,
    IReadOnlyList<LoadBalancerListener> Listeners)
{
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public bool IsInternetFacing => string.Equals(Scheme, "internet-facing", StringComparison.OrdinalIgnoreCase);

    /// <summary>"ALB", "NLB" or "GWLB".</summary>
    public string KindLabel => Kind switch
    {
        LoadBalancerKind.Application => "ALB",
        LoadBalancerKind.Network => "NLB",
        LoadBalancerKind.Gateway => "GWLB",
    };

    public static LoadBalancerKind ParseKind(string? type) => type?.ToLowerInvariant() switch
    {
        "network" => LoadBalancerKind.Network,
        "gateway" => LoadBalancerKind.Gateway,
        _ => LoadBalancerKind.Application,
    };
}

/// <summary>A listener: protocol and port, where its default action forwards, and (ALB) its rules in priority order.</summary>
public sealed record LoadBalancerListener(string Arn, string? Protocol, int? Port, string DefaultAction, IReadOnlyList<string> DefaultTargetGroupArns, IReadOnlyList<ListenerRule> Rules)
{
    public override string ToString() => $"{Protocol}:{Port}";
}

/// <summary>One listener rule: its priority ("default" for the default rule), conditions in words, and the target groups it forwards to.</summary>
public sealed record ListenerRule(string Arn, string Priority, IReadOnlyList<string> Conditions, string Action, IReadOnlyList<string> TargetGroupArns)
{
    public bool IsDefault => string.Equals(Priority, "default", StringComparison.OrdinalIgnoreCase);
}
