using Bunit;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;
using TelegramAdminPage = PortalOps.Web.Components.Pages.Telegram.TelegramAdmin;

namespace PortalOps.Web.Tests.Components.Pages.Telegram;

public sealed class TelegramAdminTests : PortalTestContext
{
    [Fact]
    public void Render_NoToken_SaysTheBotIsOffAndHowToTurnItOn()
    {
        SignIn("adam", Role.Admin);

        var page = RenderPage<TelegramAdminPage>();

        Assert.Contains("Telegram__Token", page.WaitForElement("[data-testid=telegram-mode]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_TokenRefused_ShowsTheProblemAndAMaskedToken()
    {
        EnableTelegram();
        TelegramStatus.Set(BotMode.Failed, "Telegram refused the bot token (401 Unauthorized).");
        SignIn("adam", Role.Admin);

        var page = RenderPage<TelegramAdminPage>();

        Assert.Equal("123456789:••••••••", page.WaitForElement("[data-testid=telegram-token]").TextContent);
        Assert.Contains("refused the bot token", page.Find("[data-testid=telegram-problem]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(TelegramOptions.Token!, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowGroup_ChatId_ListedAndRemovable()
    {
        SignIn("adam", Role.Admin);
        var page = RenderPage<TelegramAdminPage>();

        page.WaitForElement("input[data-testid=telegram-group-id]").Change("-100777");
        page.Find("input[data-testid=telegram-group-title]").Change("Ops room");
        page.Find("[data-testid=telegram-group-allow]").Click();

        page.WaitForAssertion(() => Assert.Contains("Ops room", page.Find("[data-testid=telegram-group]").TextContent, StringComparison.Ordinal));
        page.Find("[data-testid=telegram-group-remove]").Click();
        page.WaitForElement("[data-testid=telegram-groups-empty]");
    }

    [Fact]
    public void AllowGroup_NotANumber_ExplainsTheShape()
    {
        SignIn("adam", Role.Admin);
        var page = RenderPage<TelegramAdminPage>();

        page.WaitForElement("input[data-testid=telegram-group-id]").Change("ops room");
        page.Find("[data-testid=telegram-group-allow]").Click();

        Assert.Contains("whole number", page.Find("[data-testid=telegram-group-problem]").TextContent, StringComparison.Ordinal);
    }
}
