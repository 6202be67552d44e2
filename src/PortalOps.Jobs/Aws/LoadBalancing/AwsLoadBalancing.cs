using System.Globalization;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using DomainLoadBalancer = PortalOps.Domain.LoadBalancing.LoadBalancer;
using DomainTargetGroup = PortalOps.Domain.LoadBalancing.TargetGroup;

namespace PortalOps.Jobs.Aws.LoadBalancing;

/// <summary>
/// Load balancing on ELBv2 with the fewest calls: DescribeLoadBalancers and DescribeTargetGroups at their largest page (400),
/// DescribeListeners per load balancer and DescribeRules per listener, tags 20 resources per DescribeTags, and one
/// DescribeTargetHealth per target group fanned out with a bound. DescribeTargetGroupAttributes only for the groups a page or a
/// drain needs (the deregistration delay).
/// </summary>
public sealed class AwsLoadBalancing(IElbV2Api elb, LoadBalancingSettings? settings = null) : ILoadBalancing
{
    private readonly LoadBalancingSettings settings = settings ?? new LoadBalancingSettings();

    public async Task<IReadOnlyList<DomainLoadBalancer>> LoadBalancersAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var balancers = await elb.DescribeLoadBalancersAsync(scope, ct: cancellationToken).ConfigureAwait(false);
        if (balancers.Count == 0)
        {
            return [];
        }

        var tags = await elb.DescribeTagsAsync(scope, balancers.Select(b => b.Arn).ToList(), cancellationToken).ConfigureAwait(false);
        var listeners = new IReadOnlyList<LoadBalancerListener>[balancers.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, balancers.Count), Options(cancellationToken), async (i, ct) =>
        {
            var found = await elb.DescribeListenersAsync(scope, balancers[i].Arn, ct).ConfigureAwait(false);
            var withRules = new List<LoadBalancerListener>(found.Count);
            foreach (var l in found)
            {
                var rules = string.Equals(balancers[i].Type, "application", StringComparison.OrdinalIgnoreCase)
                    ? await elb.DescribeRulesAsync(scope, l.Arn, ct).ConfigureAwait(false)
                    : [];
                withRules.Add(new LoadBalancerListener(l.Arn, l.Protocol, l.Port, l.DefaultActions.FirstOrDefault().Type ?? "forward",
                    l.DefaultActions.Where(a => a.TargetGroupArn is not null).Select(a => a.TargetGroupArn!).ToList(),
                    rules.Select(ToRule).ToList()));
            }

            listeners[i] = withRules;
        }).ConfigureAwait(false);

        return balancers.Select((b, i) => new DomainLoadBalancer(scope, b.Arn, b.Name, DomainLoadBalancer.ParseKind(b.Type), b.Scheme, b.DnsName, b.State, b.VpcId, b.AvailabilityZones, listeners[i])
        {
            Tags = tags.GetValueOrDefault(b.Arn) ?? new Dictionary<string, string>(StringComparer.Ordinal),
        }).ToList();
    }

    public async Task<IReadOnlyList<DomainTargetGroup>> TargetGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var groups = await elb.DescribeTargetGroupsAsync(scope, ct: cancellationToken).ConfigureAwait(false);
        if (groups.Count == 0)
        {
            return [];
        }

        var tagsTask = elb.DescribeTagsAsync(scope, groups.Select(g => g.Arn).ToList(), cancellationToken);
        var health = new IReadOnlyList<TargetHealthEntry>[groups.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count), Options(cancellationToken), async (i, ct) =>
            health[i] = ToHealth(await elb.DescribeTargetHealthAsync(scope, groups[i].Arn, ct: ct).ConfigureAwait(false))).ConfigureAwait(false);
        var tags = await tagsTask.ConfigureAwait(false);
        return groups.Select((g, i) => new DomainTargetGroup(scope, g.Arn, g.Name, g.Protocol, g.Port, g.TargetType, g.LoadBalancerArns.Distinct(StringComparer.Ordinal).ToList(), health[i])
        {
            Tags = tags.GetValueOrDefault(g.Arn) ?? new Dictionary<string, string>(StringComparer.Ordinal),
            HealthCheckPath = g.HealthCheckPath,
        }).ToList();
    }

    /// <summary>DescribeTargetGroups pages only: a drain asks each group about just its instances.</summary>
    public async Task<IReadOnlyList<DomainTargetGroup>> TargetGroupListAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var groups = await elb.DescribeTargetGroupsAsync(scope, ct: cancellationToken).ConfigureAwait(false);
        return groups.Select(g => ToListed(scope, g)).ToList();
    }

    private static DomainTargetGroup ToListed(CloudScope scope, TargetGroup g) =>
        new(scope, g.Arn, g.Name, g.Protocol, g.Port, g.TargetType, g.LoadBalancerArns.Distinct(StringComparer.Ordinal).ToList(), [])
        {
            HealthCheckPath = g.HealthCheckPath,
        };

    /// <summary>DescribeTargetGroups a page at a time: a drain's search asks the first page's groups while the next is read.</summary>
    public async IAsyncEnumerable<IReadOnlyList<DomainTargetGroup>> TargetGroupPagesAsync(CloudScope scope, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in elb.DescribeTargetGroupPagesAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            yield return page.Select(g => ToListed(scope, g)).ToList();
        }
    }

    public async Task<IReadOnlyList<TargetHealthEntry>> HealthAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef>? targets = null, CancellationToken cancellationToken = default) =>
        ToHealth(await elb.DescribeTargetHealthAsync(scope, targetGroupArn, targets?.Select(t => new Target(t.Id, t.Port)).ToList(), cancellationToken).ConfigureAwait(false));

    public async Task<TimeSpan> DeregistrationDelayAsync(CloudScope scope, string targetGroupArn, CancellationToken cancellationToken = default)
    {
        var attributes = await elb.DescribeTargetGroupAttributesAsync(scope, targetGroupArn, cancellationToken).ConfigureAwait(false);
        return attributes.TryGetValue("deregistration_delay.timeout_seconds", out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : DomainTargetGroup.DefaultDeregistrationDelay;
    }

    public Task<string?> RegisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default) =>
        elb.RegisterTargetsAsync(scope, targetGroupArn, targets.Select(t => new Target(t.Id, t.Port)).ToList(), cancellationToken);

    public Task<string?> DeregisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default) =>
        elb.DeregisterTargetsAsync(scope, targetGroupArn, targets.Select(t => new Target(t.Id, t.Port)).ToList(), cancellationToken);

    private ParallelOptions Options(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = Math.Max(1, settings.Parallelism), CancellationToken = cancellationToken };

    private static List<TargetHealthEntry> ToHealth(IReadOnlyList<TargetHealth> health) =>
        health.Select(h => new TargetHealthEntry(h.Target.Id, h.Target.Port, TargetHealthEntry.ParseState(h.State), h.Reason, h.Description)).ToList();

    private static ListenerRule ToRule(Rule r) => new(
        r.Arn,
        r.IsDefault ? "default" : r.Priority,
        r.Conditions.Select(c => $"{c.Field}: {string.Join(", ", c.Values)}").ToList(),
        r.Actions.FirstOrDefault().Type ?? "forward",
        r.Actions.SelectMany(a => a.TargetGroupArns).ToList());
}
