using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using DomainLb = PortalOps.Domain.LoadBalancing.LoadBalancer;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The sandbox account's load balancers: per region a public ALB for production web and API instances (with a path rule),
/// an internal NLB for the caches, and a staging ALB. Target health follows the simulated instances: running instances pass
/// their health checks after two 5-second intervals, stopped ones are <c>unused</c>, a deregistered target drains for its
/// group's delay (10–30 s here; AWS's default is 300 s) before it disappears, and one API instance keeps failing its checks.
/// </summary>
public sealed class SandboxLoadBalancing : ILoadBalancing, IDisposable
{
    /// <summary>Two healthy checks 5 seconds apart, as a group with HealthyThresholdCount 2 and interval 5 s.</summary>
    public static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private readonly SandboxCloud cloud;
    private readonly TimeProvider clock;
    private readonly IDisposable subscription;
    private readonly List<DomainLb> balancers = [];
    private readonly List<Group> groups = [];
    private readonly Dictionary<InstanceRef, DateTimeOffset> runningSince = [];
    private long requests;

    public SandboxLoadBalancing(SandboxCloud cloud, TimeProvider clock, IFleetEvents events)
    {
        this.cloud = cloud;
        this.clock = clock;
        var longAgo = clock.GetUtcNow().AddDays(-30);
        foreach (var region in SandboxFleet.Regions)
        {
            var scope = new CloudScope(SandboxFleet.AccountId, region);
            var fleet = cloud.QueryAsync(new InstanceQuery { AccountId = scope.AccountId, Region = region, PageSize = InstanceQuery.MaxPageSize }).GetAwaiter().GetResult().Items;
            IEnumerable<Instance> Of(string env, params string[] apps) =>
                fleet.Where(i => i.State != InstanceState.Terminated && i.Tags.GetValueOrDefault("env") == env && apps.Contains(i.Tags.GetValueOrDefault("app")));

            var web = AddGroup(scope, "prod-web", 80, "/health", TimeSpan.FromSeconds(30), "prod", Of("prod", "web"), longAgo);
            var api = AddGroup(scope, "prod-api", 8080, "/api/health", TimeSpan.FromSeconds(20), "prod", Of("prod", "api"), longAgo);
            var cache = AddGroup(scope, "prod-cache", 6379, null, TimeSpan.FromSeconds(10), "prod", Of("prod", "cache"), longAgo, "TCP");
            var staging = AddGroup(scope, "staging-web", 80, "/health", TimeSpan.FromSeconds(15), "staging", Of("staging", "web", "api"), longAgo);
            AddBalancer(scope, "prod-web", "application", "internet-facing", "prod",
                [Listener(scope, "prod-web", "HTTP", 80, "redirect", [], []),
                 Listener(scope, "prod-web", "HTTPS", 443, "forward", [web], [new ListenerRule(Arn(scope, "listener-rule", "prod-web-api"), "10", ["path-pattern: /api/*"], "forward", [api.Arn])])],
                web, api);
            AddBalancer(scope, "prod-cache", "network", "internal", "prod", [Listener(scope, "prod-cache", "TCP", 6379, "forward", [cache], [])], cache);
            AddBalancer(scope, "staging-web", "application", "internet-facing", "staging", [Listener(scope, "staging-web", "HTTP", 80, "forward", [staging], [])], staging);
        }

        subscription = events.Subscribe(OnInstanceChanged);
    }

    public Task<IReadOnlyList<DomainLb>> LoadBalancersAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<DomainLb>>(balancers.Where(b => b.Scope == scope).ToList());
        }
    }

    public async Task<IReadOnlyList<TargetGroup>> TargetGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        List<Group> inScope;
        lock (gate)
        {
            inScope = groups.Where(g => g.Scope == scope).ToList();
        }

        var result = new List<TargetGroup>(inScope.Count);
        foreach (var g in inScope)
        {
            result.Add(await ToTargetGroupAsync(g, null, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    public async Task<IReadOnlyList<TargetHealthEntry>> HealthAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef>? targets = null, CancellationToken cancellationToken = default)
    {
        var group = Find(scope, targetGroupArn);
        return (await ToTargetGroupAsync(group, targets?.Select(t => t.Id).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false)).Targets;
    }

    public Task<TimeSpan> DeregistrationDelayAsync(CloudScope scope, string targetGroupArn, CancellationToken cancellationToken = default) =>
        Task.FromResult(Find(scope, targetGroupArn).Delay);

    public async Task<string?> RegisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default)
    {
        var group = Find(scope, targetGroupArn);
        foreach (var t in targets)
        {
            var instance = await cloud.FindAsync(new InstanceRef(scope.AccountId, scope.Region, t.Id), cancellationToken).ConfigureAwait(false);
            if (instance is null || instance.State is InstanceState.Terminated or InstanceState.ShuttingDown)
            {
                throw new InvalidOperationException($"InvalidTarget: The following targets are not in a running state and cannot be registered: '{t.Id}'");
            }
        }

        var now = clock.GetUtcNow();
        lock (gate)
        {
            foreach (var t in targets)
            {
                group.Registrations[t.Id] = new Registration(t.Port ?? group.Port, now, null);
            }
        }

        return NextRequestId();
    }

    public Task<string?> DeregisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default)
    {
        var group = Find(scope, targetGroupArn);
        var now = clock.GetUtcNow();
        lock (gate)
        {
            foreach (var t in targets)
            {
                if (group.Registrations.TryGetValue(t.Id, out var r) && r.DeregisteredAt is null)
                {
                    group.Registrations[t.Id] = r with { DeregisteredAt = now };
                }
            }
        }

        return Task.FromResult<string?>(NextRequestId());
    }

    public void Dispose() => subscription.Dispose();

    private void OnInstanceChanged(InstanceRef changed)
    {
        var instance = cloud.FindAsync(changed).GetAwaiter().GetResult();
        lock (gate)
        {
            if (instance?.State == InstanceState.Running)
            {
                runningSince[changed] = clock.GetUtcNow();
            }
            else
            {
                runningSince.Remove(changed);
            }
        }
    }

    private async Task<TargetGroup> ToTargetGroupAsync(Group group, IReadOnlySet<string>? only, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<(string Id, Registration Registration)> registrations;
        lock (gate)
        {
            foreach (var gone in group.Registrations.Where(r => r.Value.DeregisteredAt is { } at && now - at >= group.Delay).Select(r => r.Key).ToList())
            {
                group.Registrations.Remove(gone);
            }

            registrations = group.Registrations.Where(r => only is null || only.Contains(r.Key)).Select(r => (r.Key, r.Value)).ToList();
        }

        var targets = new List<TargetHealthEntry>(registrations.Count);
        foreach (var (id, r) in registrations)
        {
            var instanceRef = new InstanceRef(group.Scope.AccountId, group.Scope.Region, id);
            var instance = await cloud.FindAsync(instanceRef, cancellationToken).ConfigureAwait(false);
            DateTimeOffset? since;
            lock (gate)
            {
                since = runningSince.TryGetValue(instanceRef, out var s) ? s : null;
            }

            targets.Add(Health(group, id, r, instance, since, now));
        }

        return new TargetGroup(group.Scope, group.Arn, group.Name, group.Protocol, group.Port, "instance", group.LoadBalancerArns, targets)
        {
            Tags = group.Tags,
            HealthCheckPath = group.HealthCheckPath,
            DeregistrationDelay = group.Delay,
        };
    }

    private static TargetHealthEntry Health(Group group, string id, Registration r, Instance? instance, DateTimeOffset? runningSince, DateTimeOffset now)
    {
        if (r.DeregisteredAt is not null)
        {
            return new(id, r.Port, TargetHealthState.Draining, "Target.DeregistrationInProgress", "Target deregistration is in progress");
        }

        if (instance is null || instance.State is InstanceState.Terminated or InstanceState.ShuttingDown)
        {
            return new(id, r.Port, TargetHealthState.Draining, "Target.DeregistrationInProgress", "Target deregistration is in progress");
        }

        if (instance.State is InstanceState.Stopped or InstanceState.Stopping)
        {
            return new(id, r.Port, TargetHealthState.Unused, "Target.InvalidState", $"Target is in the {instance.State.ToString().ToLowerInvariant()} state");
        }

        var upSince = Max(r.RegisteredAt, runningSince ?? DateTimeOffset.MinValue);
        if (instance.State == InstanceState.Pending || now - upSince < HealthyAfter)
        {
            return new(id, r.Port, TargetHealthState.Initial, "Elb.InitialHealthChecking", "Initial health checks in progress");
        }

        // One API instance per region answers its health checks with 502s, as a real fleet has the odd broken one.
        if (group.FailingTarget == id)
        {
            return new(id, r.Port, TargetHealthState.Unhealthy, "Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]");
        }

        return new(id, r.Port, TargetHealthState.Healthy);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private Group Find(CloudScope scope, string arn)
    {
        lock (gate)
        {
            return groups.FirstOrDefault(g => g.Scope == scope && g.Arn == arn)
                ?? throw new InvalidOperationException($"TargetGroupNotFound: One or more target groups not found ('{arn}').");
        }
    }

    private string NextRequestId() => $"sandbox-elb-{Interlocked.Increment(ref requests):D6}";

    private Group AddGroup(CloudScope scope, string name, int port, string? healthCheckPath, TimeSpan delay, string env, IEnumerable<Instance> members, DateTimeOffset registeredAt, string protocol = "HTTP")
    {
        var list = members.ToList();
        var group = new Group(scope, Arn(scope, "targetgroup", name), name, protocol, port, healthCheckPath, delay,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["env"] = env, ["app"] = name.Split('-')[^1] })
        {
            FailingTarget = name == "prod-api" && list.Count >= 2 ? list[^1].InstanceId : null,
        };
        foreach (var i in list)
        {
            group.Registrations[i.InstanceId] = new Registration(port, registeredAt, null);
        }

        groups.Add(group);
        return group;
    }

    private void AddBalancer(CloudScope scope, string name, string type, string scheme, string env, IReadOnlyList<LoadBalancerListener> listeners, params Group[] attached)
    {
        var kind = type == "network" ? "net" : "app";
        var arn = Arn(scope, $"loadbalancer/{kind}", name);
        var hash = arn[^16..];
        var dns = $"{(scheme == "internal" ? "internal-" : string.Empty)}{name}-{hash[..10]}.{(type == "network" ? "elb" : scope.Region + ".elb")}.amazonaws.com";
        balancers.Add(new DomainLb(scope, arn, name, DomainLb.ParseKind(type), scheme, dns, "active", SandboxCatalog.VpcId(scope.Region),
            SandboxCatalog.Zones(scope).Select(z => z.ZoneName).ToList(), listeners)
        {
            Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["env"] = env, ["Name"] = name },
        });
        foreach (var g in attached)
        {
            g.LoadBalancerArns.Add(arn);
        }
    }

    private static LoadBalancerListener Listener(CloudScope scope, string lb, string protocol, int port, string action, IReadOnlyList<Group> forwardTo, IReadOnlyList<ListenerRule> rules) =>
        new(Arn(scope, "listener", $"{lb}-{port}"), protocol, port, action, forwardTo.Select(g => g.Arn).ToList(),
            [.. rules, new ListenerRule(Arn(scope, "listener-rule", $"{lb}-{port}-default"), "default", [], action, forwardTo.Select(g => g.Arn).ToList())]);

    private static string Arn(CloudScope scope, string type, string name) =>
        $"arn:aws:elasticloadbalancing:{scope.Region}:{scope.AccountId}:{type}/{name}/{SandboxCatalog.Id("x", scope.Region + type + name)[3..]}";

    private sealed record Registration(int? Port, DateTimeOffset RegisteredAt, DateTimeOffset? DeregisteredAt);

    private sealed record Group(CloudScope Scope, string Arn, string Name, string Protocol, int Port, string? HealthCheckPath, TimeSpan Delay, IReadOnlyDictionary<string, string> Tags)
    {
        public Dictionary<string, Registration> Registrations { get; } = new(StringComparer.Ordinal);

        public List<string> LoadBalancerArns { get; } = [];

        public string? FailingTarget { get; init; }
    }
}
