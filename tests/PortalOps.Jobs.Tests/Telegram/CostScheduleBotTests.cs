using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Costs;
using PortalOps.Jobs.Scaling;
using PortalOps.Jobs.Scaling.OffHours;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// <c>/savings</c>' Schedule button on an idle instance: the off-hours schedules to attach as buttons, and a press submits the tag edit
/// through the pipeline (it waits for approval) or says why not. The Sandbox seeds the schedules office-hours and long-day.
/// </summary>
public sealed class CostScheduleBotTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync(services: s =>
    {
        s.AddCosts().RemoveAll<CostScanRequests>();
        s.AddScaling();
        s.AddOffHours();
    });

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Savings_ScheduleButton_OffersTheSchedules_AndAPressAsksForApproval_OrSaysWhichScheduleTheInstanceFollows()
    {
        var running = (await _bot.Cloud.QueryAsync(new InstanceQuery { State = InstanceState.Running, Region = "eu-west-1", PageSize = 500 })).Items;
        var untagged = running.Where(i => !i.Tags.ContainsKey("Schedule") && !i.Tags.ContainsKey("aws:autoscaling:groupName")).Take(2).ToList();
        var free = untagged[0];
        await _bot.Cloud.SetTagsAsync(untagged[1].Ref, new Dictionary<string, string> { ["Schedule"] = "night-shift" }, []);
        var following = (await _bot.Cloud.FindAsync(untagged[1].Ref))!;
        await RecommendIdleAsync((free, 50m), (following, 40m));
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 41);

        var list = await _bot.AskAsync(person, "/savings", "recommendation(s)");
        Assert.Contains(list.AllButtons, b => b.Text == "Schedule 2");
        var choices = await PressAsync(person, list, "Schedule 1", "Attach an off-hours schedule");

        Assert.Equal(["long-day", "office-hours"], choices.AllButtons.Select(b => b.Text).Order());
        Assert.Contains("Schedule=&lt;schedule&gt;", choices.Text, StringComparison.Ordinal);
        _bot.Api.Press(person, choices, "office-hours");
        await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == choices.MessageId && m.Text.Contains("waits for approval", StringComparison.Ordinal), "the request");
        var pending = Assert.Single(await _bot.Services.GetRequiredService<IApprovalStore>().ListAsync(ApprovalStatus.Pending, 10));
        Assert.Equal((ActionKind.EditTags.Name, CostRecommendations.ApprovalRule), (pending.KindName, pending.Rule));
        Assert.Equal(free.Ref, Assert.Single(pending.Targets).Ref);
        Assert.Equal("office-hours", pending.Parameters["tag:Schedule"]);

        var other = await PressAsync(person, list, "Schedule 2", "Attach an off-hours schedule");
        _bot.Api.Press(person, other, "office-hours");

        var refused = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == other.MessageId && m.Text.Contains("⛔", StringComparison.Ordinal), "the refusal");
        Assert.Contains($"{following.InstanceId} follows another schedule, night-shift (Schedule=night-shift)", refused.Text, StringComparison.Ordinal);
        Assert.Single(await _bot.Services.GetRequiredService<IApprovalStore>().ListAsync(null, 10));
    }

    [Fact]
    public async Task Savings_Viewer_GetsNoScheduleButton()
    {
        var running = (await _bot.Cloud.QueryAsync(new InstanceQuery { State = InstanceState.Running, Region = "eu-west-1", PageSize = 500 })).Items;
        await RecommendIdleAsync((running.First(i => !i.Tags.ContainsKey("Schedule")), 50m));
        var viewer = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 42);

        var list = await _bot.AskAsync(viewer, "/savings", "recommendation(s)");

        Assert.Empty(list.AllButtons);
    }

    private async Task<SentMessage> PressAsync(TelegramUser person, SentMessage message, string button, string expect)
    {
        var before = _bot.Api.MessagesIn(person.Id).Select(m => m.MessageId).DefaultIfEmpty(0).Max();
        _bot.Api.Press(person, message, button);
        return await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId > before && m.Text.Contains(expect, StringComparison.Ordinal), $"pressing {button}");
    }

    /// <summary>Stores idle-instance recommendations for these instances, as the daily scan does.</summary>
    private async Task RecommendIdleAsync(params (Instance Instance, decimal Saving)[] idle)
    {
        var found = idle.Select(x => new Recommendation(RecommendationKind.StopIdle, x.Instance.Ref, x.Instance.Name, x.Instance.Tags, x.Instance.InstanceType, null, x.Saving,
            Confidence.High, ["Idle: CPU p95 0.4 % < 5 %"])).ToList();
        var now = DateTimeOffset.UtcNow;
        await _bot.Services.GetRequiredService<ICostRecommendationStore>().ReplaceAsync(
            new CostScanRecord(DateOnly.FromDateTime(now.UtcDateTime), now, now, found.Count, found.Count, found.Sum(r => r.MonthlySaving), 0, []), found);
    }
}
