using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Linking;

namespace PortalOps.Jobs.Tests.Telegram;

public sealed class LinkingAndCommandTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync();

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Start_CodeFromTheProfile_LinksTheSendersUserIdAndAudits()
    {
        var olga = await _bot.AddUserAsync("olga", Role.Operator);
        var (code, _) = await _bot.Services.GetRequiredService<ILinkCodes>().IssueAsync(olga.Id, TimeSpan.FromMinutes(10));
        var person = new TelegramUser(4242, "Olga", "olga_t");

        var reply = await _bot.AskAsync(person, $"/start {code}", "Linked");

        Assert.Contains("<b>olga</b>", reply.Text, StringComparison.Ordinal);
        Assert.Equal("HTML", reply.ParseMode, ignoreCase: true);
        var link = await _bot.Services.GetRequiredService<IUserDirectory>().FindLinkAsync(olga.Id);
        Assert.Equal(4242, link!.ChatUserId);
        var audit = Assert.Single(await _bot.AuditAsync("telegram.link"));
        Assert.Equal(("olga", AuditOutcome.Succeeded, Channel.Telegram), (audit.Event.ActorName, audit.Event.Outcome, audit.Event.Channel));
    }

    [Fact]
    public async Task Start_UsedCode_RefusedAuditedAndNotLinked()
    {
        var olga = await _bot.AddUserAsync("olga", Role.Operator);
        var (code, _) = await _bot.Services.GetRequiredService<ILinkCodes>().IssueAsync(olga.Id, TimeSpan.FromMinutes(10));
        await _bot.AskAsync(new TelegramUser(1, "Olga"), $"/start {code}", "Linked");

        var reply = await _bot.AskAsync(new TelegramUser(2, "Mallory"), $"/start {code}", "does not work");

        Assert.Contains("used or expired", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _bot.Services.GetRequiredService<IUserDirectory>().FindByChatUserAsync(2));
        Assert.Contains(await _bot.AuditAsync("telegram.link"), r => r.Event is { ActorName: "telegram:2", Outcome: AuditOutcome.Denied });
    }

    [Fact]
    public async Task Start_SameTelegramAccountForASecondUser_Refused()
    {
        var olga = await _bot.AddUserAsync("olga", Role.Operator);
        var paul = await _bot.AddUserAsync("paul", Role.Operator);
        var person = await _bot.LinkAsync(olga, 77);
        var (code, _) = await _bot.Services.GetRequiredService<ILinkCodes>().IssueAsync(paul.Id, TimeSpan.FromMinutes(10));

        await _bot.AskAsync(person, $"/start {code}", "already linked to another");

        Assert.Null(await _bot.Services.GetRequiredService<IUserDirectory>().FindLinkAsync(paul.Id));
    }

    [Fact]
    public async Task Commands_UnlinkedSender_OnlyStartAndHelpAnswerAndNothingElseRuns()
    {
        var stranger = new TelegramUser(9999, "Stranger");

        await _bot.AskAsync(stranger, "/help", "/instances");
        foreach (var command in new[] { "/instances", "/instance web", "/approvals", "/whoami", "/cost", "hello" })
        {
            await _bot.AskAsync(stranger, command, "not linked");
        }

        Assert.DoesNotContain(_bot.Api.MessagesIn(9999), m => m.AllButtons.Any());
        Assert.Empty(await _bot.AuditAsync());
    }

    [Fact]
    public async Task Whoami_Linked_ShowsRoleScopesAndTelegramId()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer, "000000000000/eu-west-1"), 31);

        var reply = await _bot.AskAsync(person, "/whoami", "You are");

        Assert.Contains("<b>vera</b>", reply.Text, StringComparison.Ordinal);
        Assert.Contains("<b>Viewer</b>", reply.Text, StringComparison.Ordinal);
        Assert.Contains("<code>000000000000/eu-west-1</code>", reply.Text, StringComparison.Ordinal);
        Assert.Contains("<code>31</code>", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_AlertsCostAndUnknown_HonestAnswers()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 5);

        await _bot.AskAsync(person, "/help", "/approvals");
        await _bot.AskAsync(person, "/alerts", "No open alerts on your instances.");
        await _bot.AskAsync(person, "/cost", "Costs are not set up on this portal.");
        await _bot.AskAsync(person, "/reboot_everything", "I don't know /reboot_everything");
        await _bot.AskAsync(person, "please stop the db", "commands only");
    }

    [Fact]
    public async Task Instances_Paging_ShowsOnlyTheScopeAndNextEditsTheMessage()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("euro", Role.Operator, "000000000000/eu-west-1"), 6);

        var list = await _bot.AskAsync(person, "/instances", "Instances 1–8 of 15");

        Assert.DoesNotContain("us-east-1", list.Text, StringComparison.Ordinal);
        Assert.Equal(8 + 1, list.AllButtons.Count());
        _bot.Api.Press(person, list, "Next");
        await _bot.Api.WaitForMessageAsync(6, m => m.MessageId == list.MessageId && m.Text.Contains("Instances 9–15 of 15", StringComparison.Ordinal), "on page 2");
        Assert.Contains(list.AllButtons, b => b.Text.Contains("Prev", StringComparison.Ordinal));
        Assert.NotEmpty(_bot.Api.CallsOf("answerCallbackQuery"));
    }

    [Fact]
    public async Task Instances_Filter_MatchesAndEscapesTheFilter()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 7);

        var none = await _bot.AskAsync(person, "/instances <b>&nothing", "No instances");
        var some = await _bot.AskAsync(person, "/instances prod", "matching");

        Assert.Contains("<code>&lt;b&gt;&amp;nothing</code>", none.Text, StringComparison.Ordinal);
        Assert.Contains("prod-", some.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instance_ByName_DetailsWithTheActionsItsStateAllows()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 8);
        var running = await _bot.InstanceAsync(InstanceState.Running);

        var details = await _bot.AskAsync(person, $"/instance {running.Name}", running.InstanceId);

        Assert.Contains("State: <b>running</b>", details.Text, StringComparison.Ordinal);
        Assert.Equal(["Stop", "Reboot", "Terminate"], details.AllButtons.Select(b => b.Text));
        Assert.All(details.AllButtons, b => Assert.True(b.Data.Length <= 64));
    }

    [Fact]
    public async Task Instance_OutsideScope_ReadsAsNotFoundAndTheRefusalIsAudited()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("euro", Role.Operator, "000000000000/eu-west-1"), 9);
        var american = (await _bot.Cloud.QueryAsync(new InstanceQuery { Region = "us-east-1" })).Items[0];

        var reply = await _bot.AskAsync(person, $"/instance {american.InstanceId}", "No instance is called");

        Assert.Empty(reply.AllButtons);
        var audit = Assert.Single(await _bot.AuditAsync("telegram.instance.view"));
        Assert.Equal(("euro", AuditOutcome.Denied), (audit.Event.ActorName, audit.Event.Outcome));
    }

    [Fact]
    public async Task Instance_Viewer_SeesDetailsWithoutActions()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 10);
        var running = await _bot.InstanceAsync(InstanceState.Running);

        var details = await _bot.AskAsync(person, $"/instance {running.InstanceId}", "you can look, not act");

        Assert.Empty(details.AllButtons);
    }
}
