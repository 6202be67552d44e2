using PortalOps.Jobs.Telegram.Outbox;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>The outbound queue against the loopback Bot API: Telegram's limits, 429 with retry_after, transient errors, long messages.</summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task Send_429WithRetryAfter_TheChatWaitsThatLongAndNothingIsSentTwice()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.FailNext("sendMessage", 1, retryAfterSeconds: 1);

        bot.Outbox.Enqueue(new OutboundMessage(42, "first"));
        bot.Outbox.Enqueue(new OutboundMessage(42, "second"));
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        var sends = bot.Api.CallsOf("sendMessage");
        Assert.Equal([429, 200, 200], sends.Select(c => c.Status));
        Assert.True(sends[1].At - sends[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {(sends[1].At - sends[0].At).TotalMilliseconds} ms");
        Assert.Equal(["first", "second"], bot.Api.MessagesIn(42).Select(m => m.Text));
        Assert.Equal(1, bot.Outbox.Throttled);
    }

    [Fact]
    public async Task Send_TelegramsLimitsEnforced_ZeroTooManyRequestsAndOrderKept()
    {
        var settings = new Dictionary<string, string?>();
        await using var bot = await BotHarness.StartAsync(settings);
        bot.Api.EnforceLimits = true;

        for (var i = 0; i < 3; i++)
        {
            bot.Outbox.Enqueue(new OutboundMessage(7, $"private {i}"));
        }

        bot.Outbox.Enqueue(new OutboundMessage(-100, "group 0"));
        bot.Outbox.Enqueue(new OutboundMessage(-100, "group 1"));
        for (var chat = 1000; chat < 1040; chat++)
        {
            bot.Outbox.Enqueue(new OutboundMessage(chat, "burst"));
        }

        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, bot.Api.TooManyRequests);
        Assert.Equal(["private 0", "private 1", "private 2"], bot.Api.MessagesIn(7).Select(m => m.Text));
        var group = bot.Api.CallsOf("sendMessage").Where(c => c.Body["chat_id"]!.GetValue<long>() == -100).ToList();
        Assert.True(group[1].At - group[0].At >= TimeSpan.FromSeconds(2.9));
        Assert.Equal(45, bot.Outbox.Sent);
    }

    [Fact]
    public async Task Send_TransientServerError_RetriedUntilItGoesThroughOnce()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.FailNextWith("sendMessage", 2, 502);

        bot.Outbox.Enqueue(new OutboundMessage(43, "after two failures"));
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([502, 502, 200], bot.Api.CallsOf("sendMessage").Select(c => c.Status));
        Assert.Single(bot.Api.MessagesIn(43));
    }

    [Fact]
    public async Task Send_ChatNotFound_DroppedWithoutRetry()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.FailNextWith("sendMessage", 1, 400);

        bot.Outbox.Enqueue(new OutboundMessage(44, "to nobody"));
        bot.Outbox.Enqueue(new OutboundMessage(44, "next one"));
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([400, 200], bot.Api.CallsOf("sendMessage").Select(c => c.Status));
        Assert.Equal(1, bot.Outbox.Dropped);
    }

    [Fact]
    public async Task Enqueue_LongMessage_SplitIntoPartsUnderTheLimitWithButtonsOnTheLast()
    {
        await using var bot = await BotHarness.StartAsync();
        var text = string.Join('\n', Enumerable.Range(0, 600).Select(i => $"line {i:000} &amp; more text"));
        var buttons = new global::Telegram.Bot.Types.ReplyMarkups.InlineKeyboardMarkup(global::Telegram.Bot.Types.ReplyMarkups.InlineKeyboardButton.WithCallbackData("ok", "x"));

        bot.Outbox.Enqueue(new OutboundMessage(45, text, buttons));
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        var parts = bot.Api.MessagesIn(45);
        Assert.True(parts.Count >= 4);
        Assert.All(parts, p => Assert.True(p.Text.Length <= TelegramHtml.MaxLength));
        Assert.Equal(text, string.Join('\n', parts.Select(p => p.Text)));
        Assert.Empty(parts[0].AllButtons);
        Assert.Single(parts[^1].AllButtons);
    }
}

public sealed class TelegramHtmlTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("<b>&x</b>", "&lt;b&gt;&amp;x&lt;/b&gt;")]
    [InlineData("a > b && c < d", "a &gt; b &amp;&amp; c &lt; d")]
    [InlineData("", "")]
    public void Escape_UserText_HasNoMarkupLeft(string text, string expected) => Assert.Equal(expected, TelegramHtml.Escape(text));

    [Fact]
    public void Split_OneHugeLine_NeverCutsAnEntityOrATag()
    {
        var html = "<b>x</b>" + string.Concat(Enumerable.Repeat("&amp;", 2000));

        var parts = TelegramHtml.Split(html);

        Assert.Equal(html, string.Concat(parts));
        Assert.All(parts, p =>
        {
            Assert.True(p.Length <= TelegramHtml.MaxLength);
            Assert.True(p.EndsWith(';') || p.EndsWith('>'), p[^8..]);
        });
    }

    [Fact]
    public void Truncate_TooLongForAnEdit_CutsAtALineAndMarksIt()
    {
        var html = string.Join('\n', Enumerable.Repeat(new string('x', 100), 60));

        var cut = TelegramHtml.Truncate(html);

        Assert.True(cut.Length <= TelegramHtml.MaxLength);
        Assert.EndsWith("x…", cut, StringComparison.Ordinal);
    }
}
