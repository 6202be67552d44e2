using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Sandbox;

public sealed class SandboxLoadBalancingTests : IDisposable
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly SandboxCloud cloud;
    private readonly SandboxLoadBalancing elb;

    public SandboxLoadBalancingTests()
    {
        var events = new FleetEvents();
        cloud = new SandboxCloud(Options.Create(new SandboxOptions()), clock, events);
        elb = new SandboxLoadBalancing(cloud, clock, events);
    }

    public void Dispose()
    {
        elb.Dispose();
        cloud.Dispose();
    }

    [Fact]
    public async Task FirstStart_EachRegionHasAlbAndNlbWithListenersRulesAndHealthyTargets()
    {
        foreach (var region in new[] { "eu-west-1", "us-east-1" })
        {
            var scope = new CloudScope(SandboxFleet.AccountId, region);
            var balancers = await elb.LoadBalancersAsync(scope);
            var groups = await elb.TargetGroupsAsync(scope);

            Assert.Contains(balancers, b => b.Kind == LoadBalancerKind.Application && b.IsInternetFacing && b.Listeners.Any(l => l.Rules.Any(r => r.Conditions.Contains("path-pattern: /api/*"))));
            Assert.Contains(balancers, b => b.Kind == LoadBalancerKind.Network && !b.IsInternetFacing);
            Assert.Contains(groups, g => g.Healthy > 0);
            Assert.All(groups, g => Assert.NotNull(g.DeregistrationDelay));
        }
    }

    [Fact]
    public async Task TargetHealth_FollowsTheInstance_StoppedIsUnusedStartedIsInitialThenHealthy()
    {
        var (scope, group, target) = await AnyHealthyTargetAsync();
        var instance = new InstanceRef(scope.AccountId, scope.Region, target);

        await cloud.ApplyAsync(InstanceAction.Stop, [instance], "stop");
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(TargetHealthState.Unused, (await elb.HealthAsync(scope, group, [new TargetRef(target)])).Single().State);

        await cloud.ApplyAsync(InstanceAction.Start, [instance], "start");
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TargetHealthState.Initial, (await elb.HealthAsync(scope, group, [new TargetRef(target)])).Single().State);
        clock.Advance(SandboxLoadBalancing.HealthyAfter);
        Assert.Equal(TargetHealthState.Healthy, (await elb.HealthAsync(scope, group, [new TargetRef(target)])).Single().State);
    }

    [Fact]
    public async Task Deregister_DrainsForTheGroupsDelayThenTheTargetIsGone()
    {
        var (scope, group, target) = await AnyHealthyTargetAsync();
        var delay = await elb.DeregistrationDelayAsync(scope, group);

        Assert.StartsWith("sandbox-elb-", await elb.DeregisterAsync(scope, group, [new TargetRef(target)]), StringComparison.Ordinal);
        Assert.Equal(TargetHealthState.Draining, (await elb.HealthAsync(scope, group)).Single(t => t.TargetId == target).State);
        clock.Advance(delay - TimeSpan.FromSeconds(1));
        Assert.Equal(TargetHealthState.Draining, (await elb.HealthAsync(scope, group)).Single(t => t.TargetId == target).State);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(await elb.HealthAsync(scope, group), t => t.TargetId == target);
    }

    [Fact]
    public async Task Register_TerminatedInstance_IsRefused()
    {
        var (scope, group, target) = await AnyHealthyTargetAsync();
        var instance = new InstanceRef(scope.AccountId, scope.Region, target);
        await cloud.ApplyAsync(InstanceAction.Terminate, [instance], "terminate");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => elb.RegisterAsync(scope, group, [new TargetRef(target)]));
        Assert.StartsWith("InvalidTarget", error.Message, StringComparison.Ordinal);
    }

    private async Task<(CloudScope Scope, string Group, string Target)> AnyHealthyTargetAsync()
    {
        var scope = new CloudScope(SandboxFleet.AccountId, "eu-west-1");
        var group = (await elb.TargetGroupsAsync(scope)).First(g => g.Healthy > 0);
        return (scope, group.Arn, group.Targets.First(t => t.State == TargetHealthState.Healthy).TargetId);
    }
}
