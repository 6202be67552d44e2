using Microsoft.Extensions.DependencyInjection;
using PortalOps.Jobs.Telegram.Bot;

namespace PortalOps.Jobs.Tests.Telegram;

public sealed class BotStartTests
{
    [Fact]
    public async Task Start_WithToken_LearnsItsNameRegistersTheMenuAndPolls()
    {
        await using var bot = await BotHarness.StartAsync();

        await WaitAsync(() => bot.Api.CallsOf("getUpdates").Count > 0, "a long poll");

        Assert.Equal(BotMode.Polling, bot.Status.Mode);
        Assert.Equal(BotApiServer.BotUserName, bot.Status.BotUserName);
        Assert.Equal(["instances", "instance", "approvals", "alerts", "cost", "savings", "groups", "lb", "digest", "whoami", "help"], bot.Api.Commands);
        Assert.Single(bot.Api.CallsOf("deleteWebhook"));
        Assert.Equal(2, bot.Api.CallsOf("getUpdates")[0].Body["timeout"]!.GetValue<int>());
    }

    [Fact]
    public async Task Start_SetMyCommandsAnswers500_PollsAnswersCommandsAndSaysWhatFailed()
    {
        await using var bot = await BotHarness.StartAsync(prepare: api => api.FailNextWith("setMyCommands", 1000, 500));

        await bot.AskAsync(new TelegramUser(31, "Someone"), "/help", "PortalOps bot");

        Assert.Equal(BotMode.Polling, bot.Status.Mode);
        Assert.Null(bot.Status.Problem);
        Assert.Contains("setMyCommands failed (Telegram answered 500)", bot.Status.Warning, StringComparison.Ordinal);
        Assert.Equal(500, Assert.Single(bot.Api.CallsOf("setMyCommands")).Status);
        Assert.Empty(bot.Api.Commands);
    }

    [Fact]
    public async Task Start_TokenTelegramRejects_FailsWithAClearStatusAndNeverPolls()
    {
        var settings = BotHarness.FastSettings();
        settings["Telegram:Token"] = "987654321:TEST-someone-elses-token-00000000000";
        await using var bot = await BotHarness.StartAsync(settings);

        await WaitAsync(() => bot.Status.Mode == BotMode.Failed, "the failed status");

        Assert.Contains("refused the bot token", bot.Status.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("987654321:AAHk", bot.Status.Problem, StringComparison.Ordinal);
        Assert.Empty(bot.Api.CallsOf("getUpdates"));
    }

    [Fact]
    public async Task Start_TelegramUnreachable_SaysSoAndKeepsTrying()
    {
        var settings = BotHarness.FastSettings();
        settings["Telegram:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}";
        await using var bot = await BotHarness.StartAsync(settings);

        await WaitAsync(() => bot.Status.Mode == BotMode.Failed, "the failed status");

        Assert.Contains("cannot be reached (getMe: ", bot.Status.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoToken_BotIsOffAndCallsNothing()
    {
        var settings = BotHarness.FastSettings();
        settings["Telegram:Token"] = string.Empty;
        await using var bot = await BotHarness.StartAsync(settings);

        await WaitAsync(() => bot.Status.Mode == BotMode.Off && bot.Status.Problem is not null, "the off status");
        await Task.Delay(200);

        Assert.Empty(bot.Api.Calls);
        Assert.Contains("Telegram__Token", bot.Status.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WebhookUrl_RegistersTheWebhookWithItsSecretAndDoesNotPoll()
    {
        var settings = BotHarness.FastSettings();
        settings["Telegram:WebhookUrl"] = "https://portal.example.com/telegram/webhook";
        await using var bot = await BotHarness.StartAsync(settings);

        await WaitAsync(() => bot.Status.Mode == BotMode.Webhook, "webhook mode");

        Assert.Equal("https://portal.example.com/telegram/webhook", bot.Api.WebhookUrl);
        var options = bot.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PortalOps.Jobs.Telegram.TelegramOptions>>().Value;
        Assert.Equal(TelegramStatus.WebhookSecret(options), bot.Api.WebhookSecret);
        Assert.DoesNotContain(BotApiServer.Token, bot.Api.WebhookSecret!, StringComparison.Ordinal);
        Assert.Empty(bot.Api.CallsOf("getUpdates"));
    }

    [Fact]
    public async Task Start_PollingOffOnThisNode_SendsButNeverPolls()
    {
        var settings = BotHarness.FastSettings();
        settings["Telegram:Polling"] = "false";
        await using var bot = await BotHarness.StartAsync(settings);

        await WaitAsync(() => bot.Status.Mode == BotMode.SendOnly, "send-only mode");
        bot.Outbox.Enqueue(new PortalOps.Jobs.Telegram.Outbox.OutboundMessage(5, "still sent"));
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        Assert.Single(bot.Api.MessagesIn(5));
        Assert.Empty(bot.Api.CallsOf("getUpdates"));
        Assert.Empty(bot.Api.CallsOf("deleteWebhook"));
    }

    internal static async Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var until = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
