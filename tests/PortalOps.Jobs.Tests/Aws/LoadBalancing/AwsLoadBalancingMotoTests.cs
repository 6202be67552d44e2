using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Aws.LoadBalancing;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.LoadBalancing;

/// <summary>The load balancing adapter, its actions and drain before stop, against moto (behind a counting proxy where order or counts matter).</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsLoadBalancingMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");
    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Read_LoadBalancersAndTargetGroups_ComeWithListenersRulesTagsHealthAndDelay()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        var (lb, tg, ids) = await SetUpAsync(services, 2);
        var adapter = new AwsLoadBalancing(services.GetRequiredService<IElbV2Api>());
        proxy.ResetCounts();

        var balancers = await adapter.LoadBalancersAsync(Scope);
        var groups = await adapter.TargetGroupsAsync(Scope);
        var delay = await adapter.DeregistrationDelayAsync(Scope, tg);

        var balancer = Assert.Single(balancers);
        Assert.Equal(LoadBalancerKind.Application, balancer.Kind);
        Assert.Equal("internet-facing", balancer.Scheme);
        Assert.False(string.IsNullOrEmpty(balancer.DnsName));
        Assert.Equal("prod", balancer.Tags["env"]);
        var listener = Assert.Single(balancer.Listeners);
        Assert.Equal(("HTTP", 80), (listener.Protocol, listener.Port));
        Assert.Contains(listener.Rules, r => r.Priority == "10" && r.Conditions.Contains("path-pattern: /api/*") && r.TargetGroupArns.Contains(tg));
        Assert.Contains(listener.Rules, r => r.IsDefault);
        var group = Assert.Single(groups);
        Assert.Equal([lb], group.LoadBalancerArns);
        Assert.Equal("prod", group.Tags["env"]);
        Assert.Equal(ids.Order(), group.Targets.Select(t => t.TargetId).Order());
        Assert.All(group.Targets, t => Assert.Equal(TargetHealthState.Healthy, t.State));
        Assert.Equal(TimeSpan.FromSeconds(30), delay);
        // One page of groups, one DescribeTargetHealth per group, one DescribeTags per 20 resources; attributes only when asked.
        Assert.Equal(1, proxy.CallsTo("DescribeTargetGroups"));
        Assert.Equal(1, proxy.CallsTo("DescribeTargetHealth"));
        Assert.Equal(1, proxy.CallsTo("DescribeTargetGroupAttributes"));
        Assert.Equal(2, proxy.CallsTo("DescribeTags"));

        // The drain's search reads the same groups a page at a time, without health or tags.
        var pages = new List<IReadOnlyList<PortalOps.Domain.LoadBalancing.TargetGroup>>();
        await foreach (var page in adapter.TargetGroupPagesAsync(Scope))
        {
            pages.Add(page);
        }

        var listed = Assert.Single(Assert.Single(pages));
        Assert.Equal((tg, group.Name), (listed.Arn, listed.Name));
        Assert.Empty(listed.Targets);
        Assert.Equal(2, proxy.CallsTo("DescribeTargetGroups"));
    }

    [Fact]
    public async Task Stop_RegisteredInstance_DeregistersThenWaitsOnHealthThenStops_AndStartRegistersAgain()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        var (_, tg, ids) = await SetUpAsync(services, 2);
        var adapter = new AwsLoadBalancing(services.GetRequiredService<IElbV2Api>());
        var drainer = new TargetDrainer(adapter, new InMemoryDrainedRegistrations(), new LoadBalancingSettings { DrainPollInterval = TimeSpan.FromMilliseconds(200) }, TimeProvider.System);
        var executor = new InstanceActionExecutor(services.GetRequiredService<ICompute>(), drainer);
        var target = new ResolvedTarget(new InstanceRef(Scope.AccountId, Scope.Region, ids[0]), "web-000", new Dictionary<string, string>());
        proxy.ResetCounts();
        proxy.Sequence.Clear();

        var stop = await executor.ExecuteAsync(ActionKind.StopInstances, [target], new Dictionary<string, string>(), "stop-1", CancellationToken.None);

        Assert.True(stop.Succeeded, stop.Summary);
        var calls = proxy.Sequence.Where(c => c is "DeregisterTargets" or "DescribeTargetHealth" or "StopInstances").ToList();
        var deregister = calls.IndexOf("DeregisterTargets");
        Assert.True(deregister >= 0, string.Join(" → ", proxy.Sequence));
        Assert.Equal("DescribeTargetHealth", calls[deregister + 1]);
        Assert.Equal("StopInstances", calls[^1]);
        Assert.Equal(1, proxy.CallsTo("StopInstances"));
        Assert.Contains("Drained from web-tg", stop.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain((await adapter.HealthAsync(Scope, tg)), h => h.TargetId == ids[0]);

        using var ec2 = MotoAws.Ec2(moto.Url);
        await WaitForStateAsync(ec2, ids[0], "stopped");
        var start = await executor.ExecuteAsync(ActionKind.StartInstances, [target], new Dictionary<string, string>(), "start-1", CancellationToken.None);

        Assert.True(start.Succeeded, start.Summary);
        Assert.Contains("Registered again in web-tg", start.Summary, StringComparison.Ordinal);
        Assert.Contains(await adapter.HealthAsync(Scope, tg), h => h.TargetId == ids[0]);
        Assert.True(proxy.Sequence.ToList().LastIndexOf("RegisterTargets") > proxy.Sequence.ToList().LastIndexOf("StartInstances"));
    }

    [Fact]
    public async Task Stop_TheLastHealthyTarget_WaitsForApprovalAndNothingReachesAws()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        var (_, _, ids) = await SetUpAsync(services, 1);
        var pipeline = await PipelineAsync(services);
        proxy.ResetCounts();

        var result = await pipeline.SubmitAsync(Builders.Requester, new ActionRequest(ActionKind.StopInstances, [new InstanceRef(Scope.AccountId, Scope.Region, ids[0])]));

        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.Contains(LastHealthyTargetCondition.RuleName, result.Message, StringComparison.Ordinal);
        Assert.Equal(0, proxy.CallsTo("StopInstances"));
        Assert.Equal(0, proxy.CallsTo("DeregisterTargets"));
    }

    [Fact]
    public async Task RegisterAndDeregister_ThroughThePipeline_ReachMotoAndAuditTheRequestId()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var (_, tg, ids) = await SetUpAsync(services, 2, register: false);
        var pipeline = await PipelineAsync(services);
        var group = new InstanceRef(Scope.AccountId, Scope.Region, tg);

        var registered = await pipeline.SubmitAsync(Builders.Requester, new ActionRequest(ActionKind.RegisterTargets, [group]) { Parameters = new Dictionary<string, string> { ["targets"] = string.Join(", ", ids) } });
        var health = await new AwsLoadBalancing(services.GetRequiredService<IElbV2Api>()).HealthAsync(Scope, tg);
        var deregistered = await pipeline.SubmitAsync(Builders.Requester, new ActionRequest(ActionKind.DeregisterTargets, [group]) { Parameters = new Dictionary<string, string> { ["targets"] = ids[0] } });
        var after = await new AwsLoadBalancing(services.GetRequiredService<IElbV2Api>()).HealthAsync(Scope, tg);

        Assert.Equal(ActionStatus.Executed, registered.Status);
        Assert.Equal(ids.Order(), health.Select(h => h.TargetId).Order());
        Assert.Equal(ActionStatus.Executed, deregistered.Status);
        Assert.Equal([ids[1]], after.Select(h => h.TargetId));
        var audit = new EfAuditLog(new PortalDbContextFactory(database.Database), TimeProvider.System, Key);
        var records = (await audit.QueryAsync(new AuditQuery { PageSize = 50 })).Items;
        Assert.Contains(records, r => r.Event.Action == ActionKind.RegisterTargets.Name && !string.IsNullOrEmpty(r.Event.AwsRequestId));
        Assert.Contains(records, r => r.Event.Action == ActionKind.DeregisterTargets.Name && !string.IsNullOrEmpty(r.Event.AwsRequestId));
    }

    [Fact]
    public async Task Register_UnknownTargetGroup_IsNotFoundAndNothingIsSent()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        await SetUpAsync(services, 1);
        var pipeline = await PipelineAsync(services);
        proxy.ResetCounts();

        var result = await pipeline.SubmitAsync(Builders.Requester, new ActionRequest(ActionKind.RegisterTargets, [new InstanceRef(Scope.AccountId, Scope.Region, "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0000000000000000")])
        { Parameters = new Dictionary<string, string> { ["targets"] = "i-0123456789abcdef0" } });

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Contains("Target group", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, proxy.CallsTo("RegisterTargets"));
    }

    private async Task<ActionPipeline> PipelineAsync(IServiceProvider services)
    {
        var users = new EfUserStore(database.Contexts, database.Secrets);
        await Builders.AddPeopleAsync(users);
        var adapter = new AwsLoadBalancing(services.GetRequiredService<IElbV2Api>());
        var settings = new LoadBalancingSettings { DrainPollInterval = TimeSpan.FromMilliseconds(200) };
        var drainer = new TargetDrainer(adapter, new InMemoryDrainedRegistrations(), settings, TimeProvider.System);
        return new ActionPipeline(
            services.GetRequiredService<IInventory>(),
            [new InstanceActionExecutor(services.GetRequiredService<ICompute>(), drainer), new TargetRegistrationExecutor(adapter)],
            new ApprovalPolicyProvider(Options.Create(new ApprovalOptions())),
            new EfApprovalStore(database.Contexts),
            new NoScheduler(),
            new EfAuditLog(new PortalDbContextFactory(database.Database), TimeProvider.System, Key),
            new NoNotifier(),
            users,
            TimeProvider.System,
            new EfActionLedger(new PortalDbContextFactory(database.Database)),
            [new LastHealthyTargetCondition(adapter, settings)]);
    }

    /// <summary>An ALB "web" (tagged env=prod) with an HTTP listener and a path rule forwarding to "web-tg" (delay 30 s), and instances in it.</summary>
    private async Task<(string Lb, string Tg, List<string> Ids)> SetUpAsync(IServiceProvider services, int instances, bool register = true)
    {
        var elb = services.GetRequiredService<IElbV2Api>();
        using var ec2 = MotoAws.Ec2(moto.Url);
        var subnets = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Take(2).ToList();
        var lb = await elb.CreateLoadBalancerAsync(Scope, new LoadBalancerSpec("web", subnets.Select(s => s.SubnetId).ToList(), Tags: new Dictionary<string, string> { ["env"] = "prod" }));
        var tg = await elb.CreateTargetGroupAsync(Scope, new TargetGroupSpec("web-tg", "HTTP", 80, subnets[0].VpcId, HealthCheckPath: "/health"));
        await elb.ModifyTargetGroupAttributesAsync(Scope, tg.Arn, new Dictionary<string, string> { ["deregistration_delay.timeout_seconds"] = "30" });
        var listener = await elb.CreateListenerAsync(Scope, lb.Arn, "HTTP", 80, tg.Arn);
        await elb.CreateRuleAsync(Scope, listener.Arn, 10, ["/api/*"], tg.Arn);
        var ids = await MotoAws.LaunchAsync(ec2, instances, "web", new Dictionary<string, string> { ["env"] = "prod" });
        await TagAsync(services, tg.Arn);
        if (register)
        {
            await elb.RegisterTargetsAsync(Scope, tg.Arn, ids.Select(i => new Target(i, 80)).ToList());
        }

        return (lb.Arn, tg.Arn, ids);
    }

    /// <summary>Tags the target group env=prod through the Query API (the client has no AddTags: the portal never tags).</summary>
    private async Task TagAsync(IServiceProvider services, string arn)
    {
        var core = services.GetRequiredService<PortalOps.Jobs.Aws.Protocol.AwsProtocolClient>();
        var clients = services.GetRequiredService<PortalOps.Jobs.Aws.AwsClients>();
        await core.QueryAsync(clients.Endpoint(Scope.AccountId, Scope.Region, PortalOps.Jobs.Aws.Protocol.AwsServiceDescriptor.ElasticLoadBalancingV2), "AddTags",
            new PortalOps.Jobs.Aws.Protocol.QueryParameters().List("ResourceArns", [arn]).List<(string, string)>("Tags", [("env", "prod")], (t, kv) => t.Add("Key", kv.Item1).Add("Value", kv.Item2)), CancellationToken.None);
    }

    private static async Task WaitForStateAsync(Amazon.EC2.IAmazonEC2 ec2, string id, string state)
    {
        for (var i = 0; i < 50; i++)
        {
            var r = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] });
            if (r.Reservations[0].Instances[0].State.Name == state)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private sealed class NoScheduler : PortalOps.Domain.Approvals.IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }

    private sealed class NoNotifier : PortalOps.Domain.Notifications.INotifier
    {
        public Task NotifyAsync(PortalOps.Domain.Notifications.Notification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
