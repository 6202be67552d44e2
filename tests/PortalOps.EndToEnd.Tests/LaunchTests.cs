using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>Provisioning as a person does it: the launch wizard on the Sandbox account, then the new instance's page going from pending to running.</summary>
[Trait("Category", "Peer")]
public sealed class LaunchTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task Wizard_OnTheSandbox_LaunchesAnInstanceThatReachesRunning()
    {
        await using var portal = await Portal.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:PendingSeconds"] = "3",
            ["Provisioning:RequiredTags:0"] = "team",
        });
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(Wizard_OnTheSandbox_LaunchesAnInstanceThatReachesRunning), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password);

            await Browser.OpenAsync(page, portal.BaseUrl + "/instances/launch");
            await Expect(page.GetByTestId("launch-step-body-0")).ToBeVisibleAsync();
            for (var step = 1; step <= 5; step++)
            {
                await page.GetByTestId("launch-next").ClickAsync();
                await Expect(page.GetByTestId($"launch-step-body-{step}")).ToBeVisibleAsync();
            }

            await page.Locator("input[data-testid=launch-name]").FillAsync("e2e-web");
            await page.Locator("input[data-testid=launch-name]").PressAsync("Tab");
            await page.Locator("input[data-testid=launch-required-tag-team]").FillAsync("platform");
            await page.Locator("input[data-testid=launch-required-tag-team]").PressAsync("Tab");
            await page.GetByTestId("launch-next").ClickAsync();
            await Expect(page.GetByTestId("launch-step-body-6")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("launch-estimate")).ToContainTextAsync("a month");
            await Expect(page.GetByTestId("launch-preview")).ToContainTextAsync("You may launch this now.");

            await page.GetByTestId("launch-submit").ClickAsync();
            await Expect(page.GetByTestId("launch-result")).ToContainTextAsync("Launched 1 instance(s)");
            var created = page.Locator("[data-testid^=launch-created-]").First;
            var instanceId = (await created.InnerTextAsync()).Trim();
            Assert.Matches("^i-[0-9a-f]{17}$", instanceId);

            await created.ClickAsync();
            await page.WaitForURLAsync($"**/instances/000000000000/eu-west-1/{instanceId}");
            await Browser.InteractiveAsync(page);
            await Expect(page.GetByTestId("instance-name")).ToHaveTextAsync("e2e-web");
            await Expect(page.Locator("[data-testid=state-chip][data-state=running]")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });

            // The fleet lists it too.
            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            await page.Locator("input[data-testid=filter-text]").FillAsync(instanceId);
            var row = page.Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = instanceId });
            await Expect(row.Locator("[data-state=running]")).ToBeVisibleAsync();
        });
    }
}
