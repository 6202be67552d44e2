using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>
/// The scope matrix in a browser, on the real binary: an Admin creates a Viewer scoped to one region and tag; the Viewer sees only
/// those instances, and a direct link to one outside the scope is "not found".
/// </summary>
[Trait("Category", "Peer")]
public sealed class ScopedViewerTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task ScopedViewer_SeesOnlyInScopeInstances_AndAnOutOfScopeLinkIsNotFound()
    {
        await using var portal = await Portal.StartAsync();
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(ScopedViewer_SeesOnlyInScopeInstances_AndAnOutOfScopeLinkIsNotFound), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password, "First Admin");
            await Browser.InteractiveAsync(page);

            // The Admin sees the whole fleet: both regions, prod instances among them. Note one prod instance for the direct link.
            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            await page.GetByTestId("filter-tag").FillAsync("env=prod");
            var prodLink = page.Locator("[data-testid^=instance-link-]").First;
            await Expect(page.GetByTestId("instances-grid")).ToContainTextAsync("prod-");
            var prodHref = await prodLink.GetAttributeAsync("href");
            Assert.NotNull(prodHref);

            await Browser.OpenAsync(page, portal.BaseUrl + "/users");
            await page.GetByTestId("user-create").ClickAsync();
            await page.GetByTestId("new-username").FillAsync("devviewer");
            await page.GetByTestId("new-scopes").FillAsync("000000000000/eu-west-1/env=dev");
            await page.GetByTestId("new-password").FillAsync(Password);
            await page.GetByTestId("new-confirm").FillAsync(Password);
            await page.GetByTestId("new-save").ClickAsync();
            await Expect(page.GetByTestId("user-devviewer")).ToBeVisibleAsync();

            await page.GetByLabel("Account").ClickAsync();
            await page.GetByTestId("logout").ClickAsync();
            await page.WaitForURLAsync("**/login?signedout=1");
            await page.FillAsync("#username", "devviewer");
            await page.FillAsync("#password", Password);
            await page.GetByTestId("login-submit").ClickAsync();
            await page.WaitForURLAsync(portal.BaseUrl + "/");
            await Browser.InteractiveAsync(page);

            // Every row the Viewer sees is a dev instance in eu-west-1.
            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            var rows = page.GetByTestId("instances-grid").Locator("tbody tr");
            await Expect(rows.First).ToContainTextAsync("dev-");
            foreach (var row in await rows.AllInnerTextsAsync())
            {
                Assert.Contains("eu-west-1", row, StringComparison.Ordinal);
                Assert.DoesNotContain("us-east-1", row, StringComparison.Ordinal);
                Assert.DoesNotContain("prod-", row, StringComparison.Ordinal);
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("scoped-viewer-instances.png"), FullPage = true });

            // A direct link to a prod instance reads as not found.
            await Browser.OpenAsync(page, portal.BaseUrl + prodHref);
            await Expect(page.GetByTestId("instance-not-found")).ToBeVisibleAsync();
            await Expect(page.GetByText("prod-")).ToHaveCountAsync(0);
        });
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Loopback.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
