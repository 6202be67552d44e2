using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Jobs.LoadBalancing;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>/lb on the sandbox's load balancers, through the real bot client and a loopback Bot API server.</summary>
public sealed class LoadBalancerCommandTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync(services: s => s.AddLoadBalancing());

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Lb_Name_ShowsEachTargetGroupsHealthAndTheUnhealthyTargetsWithTheirReason()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 501);
        var elb = _bot.Services.GetRequiredService<ILoadBalancing>();
        var scope = new CloudScope("000000000000", "eu-west-1");
        var group = (await elb.TargetGroupsAsync(scope)).First(g => g.Healthy > 0 && g.LoadBalancerArns.Count > 0);
        var lb = (await elb.LoadBalancersAsync(scope)).First(b => b.Arn == group.LoadBalancerArns[0]);
        var stopped = group.Targets.First(t => t.State == TargetHealthState.Healthy).TargetId;
        await _bot.Cloud.ApplyAsync(InstanceAction.Stop, [new InstanceRef(scope.AccountId, scope.Region, stopped)], "stop-for-lb");
        await Task.Delay(500); // the sandbox's stopping takes 0.2 s here

        var reply = await _bot.AskAsync(olga, $"/lb {lb.Name}", stopped);

        Assert.Contains($"<b>{group.Name}</b>", reply.Text, StringComparison.Ordinal);
        Assert.Matches(@"\d+/\d+ healthy", reply.Text);
        Assert.Contains($"{stopped} unused (Target.InvalidState)", reply.Text, StringComparison.Ordinal);
        Assert.Contains("elb.amazonaws.com", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lb_PersonScopedToStaging_IsNotShownProduction()
    {
        var sam = await _bot.LinkAsync(await _bot.AddUserAsync("sam", Role.Viewer, "000000000000/*/env=staging"), 502);

        var reply = await _bot.AskAsync(sam, "/lb prod-web", "No load balancer");
        var list = await _bot.AskAsync(sam, "/lb", "Load balancers");

        Assert.DoesNotContain("prod-", reply.Text.Replace("<code>prod-web</code>", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("staging-web", list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("prod-", list.Text, StringComparison.Ordinal);
    }
}
