using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Jobs.LoadBalancing;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// Stop from Telegram on an instance behind a load balancer: the confirmation message shows the drain as it goes (edited in
/// place), then the outcome replaces it. The Sandbox's targets stay draining for the group's delay; the wait is bounded at 4 s here.
/// </summary>
public sealed class DrainProgressBotTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync()
    {
        var settings = BotHarness.FastSettings();
        settings["LoadBalancing:MaxDrainWaitSeconds"] = "4";
        settings["LoadBalancing:DrainPollSeconds"] = "1";

        // The Sandbox runs one instance per app and region: stopping it would otherwise wait for approval as the last healthy target.
        settings["LoadBalancing:ApproveLastHealthyTarget"] = "false";
        _bot = await BotHarness.StartAsync(settings, s => s.AddLoadBalancing());
    }

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Stop_RegisteredTarget_TheMessageShowsTheDrainThenTheOutcome()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 520);
        var elb = _bot.Services.GetRequiredService<ILoadBalancing>();
        var scope = new CloudScope("000000000000", "eu-west-1");
        // The Sandbox's targets pass their first health checks 10 s after the fleet comes up.
        TargetGroup? group = null;
        for (var i = 0; i < 60 && group is null; i++)
        {
            group = (await elb.TargetGroupsAsync(scope)).FirstOrDefault(g => g.Healthy >= 1);
            if (group is null)
            {
                await Task.Delay(500);
            }
        }

        Assert.NotNull(group);
        var target = new InstanceRef(scope.AccountId, scope.Region, group.Targets.First(t => t.State == TargetHealthState.Healthy).TargetId);

        var details = await _bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId);
        _bot.Api.Press(olga, details, "Stop");
        var confirm = await _bot.Api.WaitForMessageAsync(520, m => m.MessageId == details.MessageId && m.Text.Contains("Blast radius", StringComparison.Ordinal), "asking to confirm");
        _bot.Api.Press(olga, confirm, "Yes, stop");

        var draining = await _bot.Api.WaitForMessageAsync(520, m => m.MessageId == details.MessageId && m.Text.Contains("Draining", StringComparison.Ordinal), "the drain's progress");
        Assert.Contains($"Stop {target.InstanceId}", draining.Text, StringComparison.Ordinal);
        Assert.Contains(group.Name, draining.Text, StringComparison.Ordinal);
        Assert.Equal(InstanceState.Running, (await _bot.Cloud.FindAsync(target))!.State);

        var done = await _bot.Api.WaitForMessageAsync(520, m => m.MessageId == details.MessageId && m.Text.Contains("Stop accepted", StringComparison.Ordinal), "the outcome", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("Draining", done.Text, StringComparison.Ordinal);
        var edits = _bot.Api.CallsOf("editMessageText").Where(c => c.Body["message_id"]!.GetValue<int>() == details.MessageId).Select(c => c.Body["text"]!.GetValue<string>()).ToList();
        var firstDrain = edits.FindIndex(t => t.Contains("Draining", StringComparison.Ordinal));
        var outcome = edits.FindIndex(t => t.Contains("Stop accepted", StringComparison.Ordinal));
        Assert.InRange(firstDrain, 0, outcome - 1);
        Assert.DoesNotContain(edits.Skip(outcome + 1), t => t.Contains("Draining", StringComparison.Ordinal));
        Assert.DoesNotContain(target.InstanceId, (await elb.TargetGroupsAsync(scope)).Single(g => g.Arn == group.Arn).Targets.Where(t => t.State != TargetHealthState.Draining).Select(t => t.TargetId));
    }
}
