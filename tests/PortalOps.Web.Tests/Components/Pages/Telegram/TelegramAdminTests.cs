using Bunit;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Web.Tests.Fakes;
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
    public void Render_UserDirectoryUnavailable_ShowsItsHealthAndTheWaitingUpdates()
    {
        EnableTelegram();
        Directory.Unavailable = "The Telegram user directory (DynamoDB table 'links') is unavailable: DynamoDB did not answer within 5 s.";
        TelegramStatus.DirectoryUnavailable(1001, Directory.Unavailable, Clock.GetUtcNow());
        SignIn("adam", Role.Admin);

        var page = RenderPage<TelegramAdminPage>();

        Assert.Contains(FakeUserDirectory.Store, page.WaitForElement("[data-testid=telegram-directory-store]").TextContent, StringComparison.Ordinal);
        Assert.Contains("did not answer within 5 s", page.Find("[data-testid=telegram-directory-problem]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Messages wait for the directory since", page.Find("[data-testid=telegram-directory-waiting]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("1 updates", page.Find("[data-testid=telegram-directory-delayed]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=telegram-directory-ok]"));

        Directory.Unavailable = null;
        page.Find("[data-testid=telegram-directory-check]").Click();

        page.WaitForElement("[data-testid=telegram-directory-ok]");
        Assert.Empty(page.FindAll("[data-testid=telegram-directory-problem]"));
    }

    [Fact]
    public void Render_CommandMenuRefused_ShowsTheWarning()
    {
        EnableTelegram();
        TelegramStatus.Warn("setMyCommands failed (Telegram answered 500): the command menu is not registered; commands still work.");
        SignIn("adam", Role.Admin);

        var page = RenderPage<TelegramAdminPage>();

        Assert.Contains("setMyCommands failed", page.WaitForElement("[data-testid=telegram-warning]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Polling", page.Find("[data-testid=telegram-mode]").TextContent, StringComparison.Ordinal);
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
