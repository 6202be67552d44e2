using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>
/// The portal on a phone (390 x 844, touch): the fleet's bulk actions, an instance's actions, an alert's answers and the Monitoring
/// sub-navigation are reachable without scrolling sideways; a person taps Stop on an instance and Acknowledge on an alert.
/// </summary>
[Trait("Category", "Peer")]
public sealed class PhoneTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task Phone_TapStopOnAnInstanceAndAcknowledgeAnAlert_WithoutScrollingSideways()
    {
        await using var portal = await Portal.StartAsync();
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunOnPhoneAsync(nameof(Phone_TapStopOnAnInstanceAndAcknowledgeAnAlert_WithoutScrollingSideways), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password, "First Admin", tap: true);
            await Browser.InteractiveAsync(page);

            // A rule every running instance breaches, so that an alert opens while the fleet is looked at.
            await Browser.OpenAsync(page, portal.BaseUrl + "/monitoring/rules/new");
            await AssertFitsAsync(page, "rule editor");
            await page.GetByTestId("rule-name").FillAsync("Phone CPU");
            await page.GetByTestId("rule-scope-value").FillAsync("*");
            await page.GetByTestId("rule-threshold").FillAsync("0");
            await page.GetByTestId("rule-n").FillAsync("1");
            await page.GetByTestId("rule-m").FillAsync("1");
            await Expect(page.GetByTestId("rule-save")).ToBeEnabledAsync();
            await page.GetByTestId("rule-save").TapAsync();
            await Browser.SavedToAsync(page, portal.BaseUrl + "/monitoring/rules");

            // The fleet: bulk actions fold into one menu that a tap opens.
            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            var running = page.GetByTestId("instances-grid").Locator("tbody tr").Filter(new LocatorFilterOptions { Has = page.Locator("[data-state=running]") }).First;
            await Expect(running).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
            await AssertFitsAsync(page, "instances");
            await Expect(page.GetByTestId("instance-actions")).ToBeHiddenAsync();
            await running.Locator("input.row-select").TapAsync();
            await page.GetByTestId("instance-actions-menu").Locator("button").First.TapAsync();
            await Expect(page.GetByTestId("menu-action-stop")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("phone-instances-menu.png") });
            await page.Keyboard.PressAsync("Escape");

            // One instance: its actions in the same menu; Stop, confirmed, stops it.
            var href = await running.Locator("a[data-testid^=instance-link-]").GetAttributeAsync("href");
            await Browser.OpenAsync(page, portal.BaseUrl + href);
            await Expect(page.GetByTestId("state-chip")).ToHaveAttributeAsync("data-state", "running");
            await AssertFitsAsync(page, "instance");
            await page.GetByTestId("instance-actions-menu").Locator("button").First.TapAsync();
            await Expect(page.GetByTestId("menu-action-start")).ToHaveCountAsync(0);
            await page.GetByTestId("menu-action-stop").TapAsync();
            await page.GetByTestId("confirm-action").TapAsync();
            await Expect(page.GetByTestId("state-chip")).Not.ToHaveAttributeAsync("data-state", "running", new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });
            await AssertFitsAsync(page, "instance after stop");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("phone-instance-stopped.png"), FullPage = true });

            // Its charts: axis labels drawn at a readable size on a narrow screen.
            await page.GetByText("Metrics").TapAsync();
            var label = page.GetByTestId("chart-Cpu").Locator(".mud-charts-xaxis text, .mud-charts-yaxis text").First;
            await Expect(label).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
            // Right after the tab opens the chart's SVG may still be laid out at no size (its scale reads NaN): measure once it has one.
            var rendered = double.NaN;
            for (var i = 0; i < 50 && !double.IsFinite(rendered); i++)
            {
                rendered = await label.EvaluateAsync<double>("t => { const m = t.getScreenCTM(); return m ? parseFloat(getComputedStyle(t).fontSize) * m.a : NaN; }");
                if (!double.IsFinite(rendered))
                {
                    await Task.Delay(200);
                }
            }

            Assert.True(rendered >= 11, $"Chart axis labels render at {rendered:0.0} px on a phone; at least 11 px is readable.");

            // Monitoring: the sub-navigation wraps; the alert's answers are reachable; a tap acknowledges.
            await Browser.OpenAsync(page, portal.BaseUrl + "/monitoring/alerts");
            await AssertFitsAsync(page, "alerts");
            await Expect(page.GetByTestId("nav-maintenance")).ToBeInViewportAsync();
            var alert = page.GetByTestId("alerts-grid").GetByText("Phone CPU");
            await Expect(alert).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 90_000 });
            await alert.TapAsync();
            await Expect(page.GetByTestId("alert-status")).ToHaveTextAsync("Notified");
            await AssertFitsAsync(page, "alert");
            await Expect(page.GetByTestId("alert-resolve")).ToBeInViewportAsync();
            await page.GetByTestId("alert-acknowledge").TapAsync();
            await Expect(page.GetByTestId("alert-status")).ToHaveTextAsync("Acknowledged");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("phone-alert.png"), FullPage = true });

            await Browser.OpenAsync(page, portal.BaseUrl + "/monitoring");
            await AssertFitsAsync(page, "fleet health");
        });
    }

    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var width = await Browser.ScrollWidthAsync(page);
        if (width > Browser.PhoneWidth)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"phone-too-wide-{what.Replace(' ', '-')}.png"), FullPage = true });
        }

        Assert.True(width <= Browser.PhoneWidth, $"The {what} page is {width} px wide on a {Browser.PhoneWidth} px phone: it scrolls sideways.");
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Loopback.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
