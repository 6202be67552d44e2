using System.Collections.Concurrent;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;

namespace PortalOps.Domain.Tests.Fakes;

/// <summary>
/// Target groups in memory whose deregistered targets drain for the group's delay on a fake clock, recording every call
/// (into <see cref="Log"/>, which a test may share with a compute fake to check the order).
/// </summary>
internal sealed class FakeLoadBalancing(TimeProvider clock, ConcurrentQueue<string>? log = null) : ILoadBalancing
{
    private readonly Lock gate = new();
    private readonly List<(CloudScope Scope, string Arn, string Name, TimeSpan Delay, Dictionary<string, (TargetHealthState State, DateTimeOffset? Since)> Targets, IReadOnlyDictionary<string, string> Tags, string? Lb)> groups = [];
    private readonly List<LoadBalancer> balancers = [];
    private int requests;

    public ConcurrentQueue<string> Log { get; } = log ?? new();

    /// <summary>Targets never leave draining (a stuck drain).</summary>
    public bool NeverDrains { get; set; }

    /// <summary>DeregisterTargets on this group fails (an ELB error).</summary>
    public string? FailDeregistering { get; set; }

    public string AddGroup(CloudScope scope, string name, TimeSpan delay, IReadOnlyDictionary<string, string>? tags = null, string? lbName = null, params (string Id, TargetHealthState State)[] targets)
    {
        var arn = $"arn:aws:elasticloadbalancing:{scope.Region}:{scope.AccountId}:targetgroup/{name}/0123456789abcdef";
        string? lbArn = null;
        if (lbName is not null)
        {
            lbArn = balancers.FirstOrDefault(b => b.Name == lbName && b.Scope == scope)?.Arn;
            if (lbArn is null)
            {
                lbArn = $"arn:aws:elasticloadbalancing:{scope.Region}:{scope.AccountId}:loadbalancer/app/{lbName}/0123456789abcdef";
                balancers.Add(new LoadBalancer(scope, lbArn, lbName, LoadBalancerKind.Application, "internet-facing", $"{lbName}.example", "active", "vpc-1", [], [])
                {
                    Tags = tags ?? new Dictionary<string, string>(),
                });
            }
        }

        groups.Add((scope, arn, name, delay, targets.ToDictionary(t => t.Id, t => (t.State, (DateTimeOffset?)null)), tags ?? new Dictionary<string, string>(), lbArn));
        return arn;
    }

    public Task<IReadOnlyList<LoadBalancer>> LoadBalancersAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("DescribeLoadBalancers");
        return Task.FromResult<IReadOnlyList<LoadBalancer>>(balancers.Where(b => b.Scope == scope).ToList());
    }

    public Task<IReadOnlyList<TargetGroup>> TargetGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("DescribeTargetGroups");
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<TargetGroup>>(groups.Where(g => g.Scope == scope).Select(g => ToGroup(g.Arn)).ToList());
        }
    }

    /// <summary>When set, the listing comes a page of this many groups at a time and without health, as from ELBv2.</summary>
    public int? ListPageSize { get; set; }

    /// <summary>Awaited before each listing page after the first (a slow page), with the page's number.</summary>
    public Func<int, Task>? BeforePage { get; set; }

    public async IAsyncEnumerable<IReadOnlyList<TargetGroup>> TargetGroupPagesAsync(CloudScope scope, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (ListPageSize is not int size)
        {
            yield return await TargetGroupsAsync(scope, cancellationToken);
            yield break;
        }

        List<TargetGroup> all;
        lock (gate)
        {
            all = groups.Where(g => g.Scope == scope).Select(g => ToGroup(g.Arn) with { Targets = [] }).ToList();
        }

        for (var page = 0; page * size < all.Count; page++)
        {
            if (page > 0 && BeforePage is not null)
            {
                await BeforePage(page);
            }

            Log.Enqueue("DescribeTargetGroups");
            yield return all.Skip(page * size).Take(size).ToList();
        }
    }

    public Task<IReadOnlyList<TargetHealthEntry>> HealthAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef>? targets = null, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("DescribeTargetHealth");
        lock (gate)
        {
            var all = ToGroup(targetGroupArn).Targets;
            return Task.FromResult<IReadOnlyList<TargetHealthEntry>>(targets is null ? all : all.Where(t => targets.Any(x => x.Id == t.TargetId)).ToList());
        }
    }

    public Task<TimeSpan> DeregistrationDelayAsync(CloudScope scope, string targetGroupArn, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("DescribeTargetGroupAttributes");
        return Task.FromResult(groups.Single(g => g.Arn == targetGroupArn).Delay);
    }

    public Task<string?> RegisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("RegisterTargets:" + string.Join(",", targets.Select(t => t.Id)));
        lock (gate)
        {
            var g = groups.Single(g => g.Arn == targetGroupArn);
            foreach (var t in targets)
            {
                g.Targets[t.Id] = (TargetHealthState.Initial, null);
            }
        }

        return Task.FromResult<string?>($"elb-req-{Interlocked.Increment(ref requests)}");
    }

    public Task<string?> DeregisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("DeregisterTargets:" + string.Join(",", targets.Select(t => t.Id)));
        if (targetGroupArn == FailDeregistering)
        {
            throw new InvalidOperationException("ValidationError: the target group is being modified");
        }

        lock (gate)
        {
            var g = groups.Single(g => g.Arn == targetGroupArn);
            foreach (var t in targets)
            {
                g.Targets[t.Id] = (TargetHealthState.Draining, clock.GetUtcNow());
            }
        }

        return Task.FromResult<string?>($"elb-req-{Interlocked.Increment(ref requests)}");
    }

    public void SetHealth(string arn, string id, TargetHealthState state)
    {
        lock (gate)
        {
            groups.Single(g => g.Arn == arn).Targets[id] = (state, null);
        }
    }

    public TargetGroup Group(string arn)
    {
        lock (gate)
        {
            return ToGroup(arn);
        }
    }

    private TargetGroup ToGroup(string arn)
    {
        var g = groups.Single(x => x.Arn == arn);
        var now = clock.GetUtcNow();
        foreach (var gone in g.Targets.Where(t => t.Value.State == TargetHealthState.Draining && !NeverDrains && t.Value.Since is { } s && now - s >= g.Delay).Select(t => t.Key).ToList())
        {
            g.Targets.Remove(gone);
        }

        return new TargetGroup(g.Scope, g.Arn, g.Name, "HTTP", 80, "instance", g.Lb is null ? [] : [g.Lb],
            g.Targets.Select(t => new TargetHealthEntry(t.Key, 80, t.Value.State, t.Value.State == TargetHealthState.Draining ? "Target.DeregistrationInProgress" : null)).ToList())
        {
            Tags = g.Tags,
        };
    }
}

/// <summary>Compute that writes its calls into a shared log, so a test sees them beside the load balancer's.</summary>
internal sealed class LoggingCompute(ConcurrentQueue<string> log) : ICompute
{
    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        log.Enqueue($"{action}Instances:" + string.Join(",", targets.Select(t => t.InstanceId)));
        return Task.FromResult(new ComputeResult(targets.Select(t => new TargetResult(t, true)).ToList(), "ec2-req-1"));
    }
}
