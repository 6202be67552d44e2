using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using PortalOps.Jobs.Tests.Telegram;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>The real binary with its token from the environment, polling a loopback Bot API: a person links Telegram from their Profile.</summary>
[Trait("Category", "Peer")]
public sealed class TelegramLinkTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task Profile_LinkTelegram_StartCodeFromTheChatLinksTheAccount()
    {
        await using var api = await BotApiServer.StartAsync();
        await using var portal = await Portal.StartAsync(new Dictionary<string, string?>
        {
            ["Telegram:Token"] = BotApiServer.Token,
            ["Telegram:ApiBaseUrl"] = api.BaseUrl,
            ["Telegram:PollTimeoutSeconds"] = "2",
            ["Telegram:Outbox:ChatInterval"] = "00:00:00",
        });
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(Profile_LinkTelegram_StartCodeFromTheChatLinksTheAccount), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password);

            await Browser.OpenAsync(page, portal.BaseUrl + "/telegram");
            await Expect(page.GetByTestId("telegram-mode")).ToContainTextAsync("Polling · @" + BotApiServer.BotUserName);
            await Expect(page.GetByTestId("telegram-token")).ToHaveTextAsync("123456789:••••••••");

            await Browser.OpenAsync(page, portal.BaseUrl + "/profile");
            await page.GetByTestId("telegram-link").ClickAsync();
            var start = (await page.GetByTestId("telegram-start").InnerTextAsync()).Trim();
            Assert.Matches("^/start [A-Za-z0-9_-]{22}$", start);
            var code = start["/start ".Length..];
            await Expect(page.GetByTestId("telegram-deeplink")).ToHaveAttributeAsync("href", $"https://t.me/{BotApiServer.BotUserName}?start={code}");

            var person = new TelegramUser(777, "Admin", "admin_tg");
            api.Write(person, start);
            await api.WaitForTextAsync(777, "Linked: you are <b>admin</b>");

            await page.GetByTestId("telegram-refresh").ClickAsync();
            await Expect(page.GetByTestId("telegram-linked")).ToContainTextAsync("Telegram user 777 (@admin_tg)");

            // The chat now acts as the person.
            api.Write(person, "/whoami");
            await api.WaitForTextAsync(777, "<b>Admin</b>");
            Assert.DoesNotContain(BotApiServer.Token, await page.ContentAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(BotApiServer.Token, portal.Process.Tail(), StringComparison.Ordinal);
        });
    }
}
