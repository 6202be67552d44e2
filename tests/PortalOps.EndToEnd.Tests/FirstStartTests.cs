using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>A newcomer's first minutes: the setup link from the console, the first admin, a sandbox instance stopped from the Instances page.</summary>
[Trait("Category", "Peer")]
public sealed class FirstStartTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task SetupLink_FreshStart_AdminLogsInAndStopsASandboxInstance()
    {
        await using var portal = await Portal.StartAsync(new Dictionary<string, string?> { ["Sandbox:StoppingSeconds"] = "2" });
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith(portal.BaseUrl + "/setup?token=", link, StringComparison.Ordinal);

        await browser.RunAsync(nameof(SetupLink_FreshStart_AdminLogsInAndStopsASandboxInstance), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password, "First Admin");
            await Browser.InteractiveAsync(page);
            await Expect(page.GetByTestId("sandbox-badge").First).ToBeVisibleAsync();

            // Log out and back in with the new password.
            await page.GetByLabel("Account").ClickAsync();
            await page.GetByTestId("logout").ClickAsync();
            await page.WaitForURLAsync("**/login?signedout=1");
            await page.FillAsync("#username", "admin");
            await page.FillAsync("#password", Password);
            await page.GetByTestId("login-submit").ClickAsync();
            await page.WaitForURLAsync(portal.BaseUrl + "/");
            await Expect(page.GetByTestId("total-instances")).ToBeVisibleAsync();

            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            var running = page.Locator("tbody tr").Filter(new LocatorFilterOptions { Has = page.Locator("[data-state=running]") }).First;
            await Expect(running).ToBeVisibleAsync();
            var instanceId = (await running.Locator("td").Nth(2).InnerTextAsync()).Trim();
            Assert.Matches("^i-[0-9a-f]{17}$", instanceId);

            await running.Locator("input[type=checkbox]").CheckAsync(new LocatorCheckOptions { Force = true });
            await page.GetByTestId("action-stop").ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Stop", Exact = true }).ClickAsync();

            var row = page.Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = instanceId });
            await Expect(row.Locator("[data-state=stopped]")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        });
    }

    [Fact]
    public async Task SetupLink_UsedTwice_SecondUseRefused()
    {
        await using var portal = await Portal.StartAsync();
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(SetupLink_UsedTwice_SecondUseRefused), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password);

            await page.Context.ClearCookiesAsync();
            await page.GotoAsync(link);
            await page.FillAsync("#username", "intruder");
            await page.FillAsync("#password", Password);
            await page.FillAsync("#confirm", Password);
            await page.GetByTestId("setup-submit").ClickAsync();
            await Expect(page.GetByTestId("setup-error")).ToContainTextAsync("not valid");
        });
    }
}
