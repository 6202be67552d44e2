using System.Xml.Linq;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws.LoadBalancing;

public sealed record LoadBalancer(string Arn, string Name, string? DnsName, string Type, string Scheme, string? VpcId, string State, DateTimeOffset? CreatedTime, IReadOnlyList<string> AvailabilityZones, IReadOnlyList<string> SecurityGroups);

public sealed record LoadBalancerSpec(string Name, IReadOnlyList<string> Subnets, IReadOnlyList<string>? SecurityGroups = null, string Scheme = "internet-facing", string Type = "application", IReadOnlyDictionary<string, string>? Tags = null);

public sealed record TargetGroup(string Arn, string Name, string? Protocol, int? Port, string? VpcId, string TargetType, string? HealthCheckPath, int? HealthCheckIntervalSeconds, int? HealthyThresholdCount, int? UnhealthyThresholdCount, IReadOnlyList<string> LoadBalancerArns);

public sealed record TargetGroupSpec(string Name, string Protocol, int Port, string VpcId, string TargetType = "instance", string? HealthCheckPath = null, int? HealthCheckIntervalSeconds = null, int? HealthyThresholdCount = null, int? UnhealthyThresholdCount = null, string? Matcher = null);

public sealed record Listener(string Arn, string LoadBalancerArn, string? Protocol, int? Port, IReadOnlyList<(string Type, string? TargetGroupArn)> DefaultActions);

public sealed record Target(string Id, int? Port = null);

public sealed record TargetHealth(Target Target, string State, string? Reason, string? Description);

/// <summary>A listener rule: priority ("default" for the default rule), conditions as "field: values", and its actions.</summary>
public sealed record Rule(string Arn, string Priority, bool IsDefault, IReadOnlyList<(string Field, IReadOnlyList<string> Values)> Conditions, IReadOnlyList<(string Type, IReadOnlyList<string> TargetGroupArns)> Actions);

/// <summary>Elastic Load Balancing v2 (application and network load balancers), over the Query API.</summary>
public interface IElbV2Api
{
    Task<IReadOnlyList<LoadBalancer>> DescribeLoadBalancersAsync(CloudScope scope, IReadOnlyList<string>? arns = null, IReadOnlyList<string>? names = null, CancellationToken ct = default);

    Task<LoadBalancer> CreateLoadBalancerAsync(CloudScope scope, LoadBalancerSpec spec, CancellationToken ct = default);

    Task<string?> DeleteLoadBalancerAsync(CloudScope scope, string arn, CancellationToken ct = default);

    Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsAsync(CloudScope scope, string? loadBalancerArn = null, IReadOnlyList<string>? arns = null, IReadOnlyList<string>? names = null, CancellationToken ct = default);

    /// <summary>Every target group of the scope, a DescribeTargetGroups page (up to 400) at a time as it arrives.</summary>
    IAsyncEnumerable<IReadOnlyList<TargetGroup>> DescribeTargetGroupPagesAsync(CloudScope scope, CancellationToken ct = default);

    Task<TargetGroup> CreateTargetGroupAsync(CloudScope scope, TargetGroupSpec spec, CancellationToken ct = default);

    Task<string?> DeleteTargetGroupAsync(CloudScope scope, string arn, CancellationToken ct = default);

    Task<IReadOnlyList<Listener>> DescribeListenersAsync(CloudScope scope, string loadBalancerArn, CancellationToken ct = default);

    Task<Listener> CreateListenerAsync(CloudScope scope, string loadBalancerArn, string protocol, int port, string targetGroupArn, string? certificateArn = null, CancellationToken ct = default);

    Task<string?> DeleteListenerAsync(CloudScope scope, string arn, CancellationToken ct = default);

    Task<string?> RegisterTargetsAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<Target> targets, CancellationToken ct = default);

    Task<string?> DeregisterTargetsAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<Target> targets, CancellationToken ct = default);

    Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<Target>? targets = null, CancellationToken ct = default);

    Task<IReadOnlyDictionary<string, string>> ModifyTargetGroupAttributesAsync(CloudScope scope, string targetGroupArn, IReadOnlyDictionary<string, string> attributes, CancellationToken ct = default);

    Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(CloudScope scope, string targetGroupArn, CancellationToken ct = default);

    Task<IReadOnlyList<Rule>> DescribeRulesAsync(CloudScope scope, string listenerArn, CancellationToken ct = default);

    /// <summary>Creates a path-pattern rule that forwards to a target group.</summary>
    Task<Rule> CreateRuleAsync(CloudScope scope, string listenerArn, int priority, IReadOnlyList<string> pathPatterns, string targetGroupArn, CancellationToken ct = default);

    /// <summary>Tags of up to 20 resources per call (more are split into calls of 20).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(CloudScope scope, IReadOnlyList<string> resourceArns, CancellationToken ct = default);
}

public sealed class ElbV2Client(AwsProtocolClient core, AwsClients clients) : IElbV2Api
{
    private Task<AwsResponse<XElement>> Call(CloudScope scope, string action, QueryParameters p, CancellationToken ct) =>
        core.QueryAsync(clients.Endpoint(scope.AccountId, scope.Region, AwsServiceDescriptor.ElasticLoadBalancingV2), action, p, ct);

    public async Task<IReadOnlyList<LoadBalancer>> DescribeLoadBalancersAsync(CloudScope scope, IReadOnlyList<string>? arns = null, IReadOnlyList<string>? names = null, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<LoadBalancer>(async marker =>
        {
            var r = await Call(scope, "DescribeLoadBalancers", new QueryParameters().List("LoadBalancerArns", arns).List("Names", names).Add("PageSize", 400).Add("Marker", marker), ct).ConfigureAwait(false);
            return (r.Body.Members("LoadBalancers").Select(ParseLoadBalancer), r.Body.Str("NextMarker"));
        }).ConfigureAwait(false);

    public async Task<LoadBalancer> CreateLoadBalancerAsync(CloudScope scope, LoadBalancerSpec spec, CancellationToken ct = default)
    {
        var r = await Call(scope, "CreateLoadBalancer", new QueryParameters()
            .Add("Name", spec.Name)
            .List("Subnets", spec.Subnets)
            .List("SecurityGroups", spec.SecurityGroups)
            .Add("Scheme", spec.Scheme)
            .Add("Type", spec.Type)
            .List("Tags", spec.Tags, (t, kv) => t.Add("Key", kv.Key).Add("Value", kv.Value)), ct).ConfigureAwait(false);
        return ParseLoadBalancer(r.Body.Members("LoadBalancers").First());
    }

    public async Task<string?> DeleteLoadBalancerAsync(CloudScope scope, string arn, CancellationToken ct = default) =>
        (await Call(scope, "DeleteLoadBalancer", new QueryParameters().Add("LoadBalancerArn", arn), ct).ConfigureAwait(false)).RequestId;

    public async Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsAsync(CloudScope scope, string? loadBalancerArn = null, IReadOnlyList<string>? arns = null, IReadOnlyList<string>? names = null, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<TargetGroup>(async marker =>
        {
            var r = await Call(scope, "DescribeTargetGroups", new QueryParameters().Add("LoadBalancerArn", loadBalancerArn).List("TargetGroupArns", arns).List("Names", names).Add("PageSize", 400).Add("Marker", marker), ct).ConfigureAwait(false);
            return (r.Body.Members("TargetGroups").Select(ParseTargetGroup), r.Body.Str("NextMarker"));
        }).ConfigureAwait(false);

    public async IAsyncEnumerable<IReadOnlyList<TargetGroup>> DescribeTargetGroupPagesAsync(CloudScope scope, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? marker = null;
        do
        {
            var r = await Call(scope, "DescribeTargetGroups", new QueryParameters().Add("PageSize", 400).Add("Marker", marker), ct).ConfigureAwait(false);
            yield return r.Body.Members("TargetGroups").Select(ParseTargetGroup).ToList();
            var next = r.Body.Str("NextMarker");
            marker = string.IsNullOrEmpty(next) || next == marker ? null : next;
        }
        while (marker is not null);
    }

    public async Task<TargetGroup> CreateTargetGroupAsync(CloudScope scope, TargetGroupSpec spec, CancellationToken ct = default)
    {
        var p = new QueryParameters()
            .Add("Name", spec.Name)
            .Add("Protocol", spec.Protocol)
            .Add("Port", spec.Port)
            .Add("VpcId", spec.VpcId)
            .Add("TargetType", spec.TargetType)
            .Add("HealthCheckPath", spec.HealthCheckPath)
            .Add("HealthCheckIntervalSeconds", spec.HealthCheckIntervalSeconds)
            .Add("HealthyThresholdCount", spec.HealthyThresholdCount)
            .Add("UnhealthyThresholdCount", spec.UnhealthyThresholdCount);
        if (spec.Matcher is not null)
        {
            p.Struct("Matcher", m => m.Add("HttpCode", spec.Matcher));
        }

        var r = await Call(scope, "CreateTargetGroup", p, ct).ConfigureAwait(false);
        return ParseTargetGroup(r.Body.Members("TargetGroups").First());
    }

    public async Task<string?> DeleteTargetGroupAsync(CloudScope scope, string arn, CancellationToken ct = default) =>
        (await Call(scope, "DeleteTargetGroup", new QueryParameters().Add("TargetGroupArn", arn), ct).ConfigureAwait(false)).RequestId;

    public async Task<IReadOnlyList<Listener>> DescribeListenersAsync(CloudScope scope, string loadBalancerArn, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<Listener>(async marker =>
        {
            var r = await Call(scope, "DescribeListeners", new QueryParameters().Add("LoadBalancerArn", loadBalancerArn).Add("PageSize", 400).Add("Marker", marker), ct).ConfigureAwait(false);
            return (r.Body.Members("Listeners").Select(ParseListener), r.Body.Str("NextMarker"));
        }).ConfigureAwait(false);

    public async Task<Listener> CreateListenerAsync(CloudScope scope, string loadBalancerArn, string protocol, int port, string targetGroupArn, string? certificateArn = null, CancellationToken ct = default)
    {
        var r = await Call(scope, "CreateListener", new QueryParameters()
            .Add("LoadBalancerArn", loadBalancerArn)
            .Add("Protocol", protocol)
            .Add("Port", port)
            .List<string>("DefaultActions", [targetGroupArn], (a, tg) => a.Add("Type", "forward").Add("TargetGroupArn", tg))
            .List<string>("Certificates", certificateArn is null ? null : [certificateArn], (c, arn) => c.Add("CertificateArn", arn)), ct).ConfigureAwait(false);
        return ParseListener(r.Body.Members("Listeners").First());
    }

    public async Task<string?> DeleteListenerAsync(CloudScope scope, string arn, CancellationToken ct = default) =>
        (await Call(scope, "DeleteListener", new QueryParameters().Add("ListenerArn", arn), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> RegisterTargetsAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<Target> targets, CancellationToken ct = default) =>
        (await Call(scope, "RegisterTargets", TargetParameters(targetGroupArn, targets), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> DeregisterTargetsAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<Target> targets, CancellationToken ct = default) =>
        (await Call(scope, "DeregisterTargets", TargetParameters(targetGroupArn, targets), ct).ConfigureAwait(false)).RequestId;

    public async Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<Target>? targets = null, CancellationToken ct = default)
    {
        var p = new QueryParameters().Add("TargetGroupArn", targetGroupArn);
        if (targets is { Count: > 0 })
        {
            p.List("Targets", targets, (t, x) => t.Add("Id", x.Id).Add("Port", x.Port));
        }

        var r = await Call(scope, "DescribeTargetHealth", p, ct).ConfigureAwait(false);
        return r.Body.Members("TargetHealthDescriptions").Select(d => new TargetHealth(
            new Target(d.El("Target").Str("Id") ?? "", d.El("Target").Int("Port")),
            d.El("TargetHealth").Str("State") ?? "unknown",
            d.El("TargetHealth").Str("Reason"),
            d.El("TargetHealth").Str("Description"))).ToList();
    }

    public async Task<IReadOnlyDictionary<string, string>> ModifyTargetGroupAttributesAsync(CloudScope scope, string targetGroupArn, IReadOnlyDictionary<string, string> attributes, CancellationToken ct = default)
    {
        var r = await Call(scope, "ModifyTargetGroupAttributes", new QueryParameters()
            .Add("TargetGroupArn", targetGroupArn)
            .List("Attributes", attributes, (a, kv) => a.Add("Key", kv.Key).Add("Value", kv.Value)), ct).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in r.Body.Members("Attributes"))
        {
            result[a.Str("Key") ?? ""] = a.Str("Value") ?? "";
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(CloudScope scope, string targetGroupArn, CancellationToken ct = default)
    {
        var r = await Call(scope, "DescribeTargetGroupAttributes", new QueryParameters().Add("TargetGroupArn", targetGroupArn), ct).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in r.Body.Members("Attributes"))
        {
            result[a.Str("Key") ?? ""] = a.Str("Value") ?? "";
        }

        return result;
    }

    public async Task<IReadOnlyList<Rule>> DescribeRulesAsync(CloudScope scope, string listenerArn, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<Rule>(async marker =>
        {
            var r = await Call(scope, "DescribeRules", new QueryParameters().Add("ListenerArn", listenerArn).Add("PageSize", 400).Add("Marker", marker), ct).ConfigureAwait(false);
            return (r.Body.Members("Rules").Select(ParseRule), r.Body.Str("NextMarker"));
        }).ConfigureAwait(false);

    public async Task<Rule> CreateRuleAsync(CloudScope scope, string listenerArn, int priority, IReadOnlyList<string> pathPatterns, string targetGroupArn, CancellationToken ct = default)
    {
        var r = await Call(scope, "CreateRule", new QueryParameters()
            .Add("ListenerArn", listenerArn)
            .Add("Priority", priority)
            .List<string>("Conditions", ["path-pattern"], (c, field) => c.Add("Field", field).List("Values", pathPatterns))
            .List<string>("Actions", [targetGroupArn], (a, tg) => a.Add("Type", "forward").Add("TargetGroupArn", tg)), ct).ConfigureAwait(false);
        return ParseRule(r.Body.Members("Rules").First());
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> DescribeTagsAsync(CloudScope scope, IReadOnlyList<string> resourceArns, CancellationToken ct = default)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var chunk in resourceArns.Chunk(20))
        {
            var r = await Call(scope, "DescribeTags", new QueryParameters().List("ResourceArns", chunk), ct).ConfigureAwait(false);
            foreach (var d in r.Body.Members("TagDescriptions"))
            {
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var t in d.Members("Tags"))
                {
                    tags[t.Str("Key") ?? ""] = t.Str("Value") ?? "";
                }

                result[d.Str("ResourceArn") ?? ""] = tags;
            }
        }

        return result;
    }

    private static Rule ParseRule(XElement e) => new(
        e.Str("RuleArn") ?? "",
        e.Str("Priority") ?? "",
        e.Bool("IsDefault") ?? false,
        e.Members("Conditions").Select(c => (c.Str("Field") ?? "", (IReadOnlyList<string>)(c.Strings("Values") is { Count: > 0 } v ? v
            : c.El("PathPatternConfig").Strings("Values") is { Count: > 0 } p ? p
            : c.El("HostHeaderConfig").Strings("Values")))).ToList(),
        e.Members("Actions").Select(a => (a.Str("Type") ?? "", (IReadOnlyList<string>)(a.Str("TargetGroupArn") is { } tg ? [tg]
            : a.El("ForwardConfig").Members("TargetGroups").Select(t => t.Str("TargetGroupArn") ?? "").ToList()))).ToList());

    private static QueryParameters TargetParameters(string targetGroupArn, IReadOnlyList<Target> targets) =>
        new QueryParameters().Add("TargetGroupArn", targetGroupArn).List("Targets", targets, (t, x) => t.Add("Id", x.Id).Add("Port", x.Port));

    private static LoadBalancer ParseLoadBalancer(XElement e) => new(
        e.Str("LoadBalancerArn") ?? "",
        e.Str("LoadBalancerName") ?? "",
        e.Str("DNSName"),
        e.Str("Type") ?? "application",
        e.Str("Scheme") ?? "",
        e.Str("VpcId"),
        e.El("State").Str("Code") ?? "",
        e.Date("CreatedTime"),
        e.Members("AvailabilityZones").Select(z => z.Str("ZoneName") ?? "").ToList(),
        e.Strings("SecurityGroups"));

    private static TargetGroup ParseTargetGroup(XElement e) => new(
        e.Str("TargetGroupArn") ?? "",
        e.Str("TargetGroupName") ?? "",
        e.Str("Protocol"),
        e.Int("Port"),
        e.Str("VpcId"),
        e.Str("TargetType") ?? "instance",
        e.Str("HealthCheckPath"),
        e.Int("HealthCheckIntervalSeconds"),
        e.Int("HealthyThresholdCount"),
        e.Int("UnhealthyThresholdCount"),
        e.Strings("LoadBalancerArns"));

    private static Listener ParseListener(XElement e) => new(
        e.Str("ListenerArn") ?? "",
        e.Str("LoadBalancerArn") ?? "",
        e.Str("Protocol"),
        e.Int("Port"),
        e.Members("DefaultActions").Select(a => (a.Str("Type") ?? "", a.Str("TargetGroupArn"))).ToList());
}
