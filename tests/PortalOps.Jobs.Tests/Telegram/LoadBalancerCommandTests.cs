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

    [Fact]
    public async Task Stop_RegisteredInstance_TheMessageShowsTheDrainUntilTheOutcomeReplacesIt()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 503);
        var elb = _bot.Services.GetRequiredService<ILoadBalancing>();
        var scope = new CloudScope("000000000000", "eu-west-1");
        var candidates = new List<(TargetGroup Group, TimeSpan Delay)>();
        foreach (var g in (await elb.TargetGroupsAsync(scope)).Where(g => g.Healthy >= 2))
        {
            candidates.Add((g, await elb.DeregistrationDelayAsync(scope, g.Arn)));
        }

        var (group, _) = candidates.OrderBy(c => c.Delay).First();
        var target = group.Targets.First(t => t.State == TargetHealthState.Healthy).TargetId;
        var details = await _bot.AskAsync(olga, $"/instance {target}", target);

        _bot.Api.Press(olga, details, "Stop");
        var confirm = await _bot.Api.WaitForMessageAsync(503, m => m.MessageId == details.MessageId && m.Text.Contains("Blast radius", StringComparison.Ordinal), "asking to confirm");
        _bot.Api.Press(olga, confirm, "Yes, stop");
        await _bot.Api.WaitForMessageAsync(503, m => m.MessageId == details.MessageId && m.Text.Contains("Stop accepted", StringComparison.Ordinal), "with the outcome", TimeSpan.FromSeconds(90));

        var edits = _bot.Api.CallsOf("editMessageText").Select(c => c.Body["text"]!.GetValue<string>()).ToList();
        var draining = edits.FindIndex(t => t.Contains($"Draining", StringComparison.Ordinal) && t.Contains(group.Name, StringComparison.Ordinal));
        var outcome = edits.FindIndex(t => t.Contains("Stop accepted", StringComparison.Ordinal));
        Assert.True(draining >= 0, string.Join(" | ", edits));
        Assert.True(draining < outcome, string.Join(" | ", edits));
        Assert.Contains($"Drained from {group.Name}", edits[outcome], StringComparison.Ordinal);
    }
}
