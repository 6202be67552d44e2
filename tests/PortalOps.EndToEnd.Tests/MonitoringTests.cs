using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>Monitoring as a person meets it on the Sandbox: fleet health right after start, an instance's charts, a rule refused at its field and then saved, its alert.</summary>
[Trait("Category", "Peer")]
public sealed class MonitoringTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task FreshStart_FleetHealthChartsRuleAndAlert()
    {
        await using var portal = await Portal.StartAsync();
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(FreshStart_FleetHealthChartsRuleAndAlert), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password, "First Admin");
            await Browser.InteractiveAsync(page);
            await Expect(page.GetByTestId("card-monitoring")).ToBeVisibleAsync();

            // The first collection runs at start: the hottest instances are listed with their CPU.
            await Browser.OpenAsync(page, portal.BaseUrl + "/monitoring");
            var firstRow = page.GetByTestId("health-grid").Locator("tbody tr").First;
            await Expect(firstRow).ToContainTextAsync("%", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
            await firstRow.ClickAsync();
            await Expect(page.GetByTestId("chart-Cpu").Locator("svg").First).ToBeVisibleAsync();
            await page.GetByTestId("range-7 d").ClickAsync();
            await Expect(page.GetByTestId("chart-Cpu").Locator("svg").First).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("monitoring-health.png"), FullPage = true });

            // A threshold that can never be crossed is refused at the field.
            await Browser.OpenAsync(page, portal.BaseUrl + "/monitoring/rules/new");
            await page.GetByTestId("rule-name").FillAsync("Any CPU at all");
            await page.GetByTestId("rule-scope-value").FillAsync("*");
            await page.GetByTestId("rule-threshold").FillAsync("150");
            await Expect(page.GetByText("can never happen")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("rule-save")).ToBeDisabledAsync();

            // A rule every running instance breaches fires one rolled-up alert.
            await page.GetByTestId("rule-threshold").FillAsync("0");
            await page.GetByTestId("rule-n").FillAsync("1");
            await page.GetByTestId("rule-m").FillAsync("1");
            await Expect(page.GetByTestId("rule-save")).ToBeEnabledAsync();
            await page.GetByTestId("rule-save").ClickAsync();
            await page.WaitForURLAsync(portal.BaseUrl + "/monitoring/rules");
            await Expect(page.GetByTestId("rules-table")).ToContainTextAsync("Any CPU at all");

            await Browser.OpenAsync(page, portal.BaseUrl + "/monitoring/alerts");
            var alert = page.GetByTestId("alerts-grid").GetByText("Any CPU at all");
            await Expect(alert).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 90_000 });
            await alert.ClickAsync();
            await Expect(page.GetByTestId("alert-status")).ToHaveTextAsync("Notified");
            await page.GetByTestId("alert-acknowledge").ClickAsync();
            await Expect(page.GetByTestId("alert-status")).ToHaveTextAsync("Acknowledged");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("monitoring-alert.png"), FullPage = true });
        });
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Loopback.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
