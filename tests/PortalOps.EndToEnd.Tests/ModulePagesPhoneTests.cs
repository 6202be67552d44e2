using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>
/// The module pages on a phone (390 x 844, touch), on the Sandbox account: compliance, Auto Scaling, load balancing, off-hours,
/// cost, backup/DR and patching each lay out without sideways scrolling, show their grid, chart or editor, and keep their CSV
/// download within reach of a thumb.
/// </summary>
[Trait("Category", "Peer")]
public sealed class ModulePagesPhoneTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 60_000 };

    [Fact]
    public async Task Phone_EveryModulePage_FitsWithItsContentAndCsvInReach()
    {
        await using var portal = await Portal.StartAsync();
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunOnPhoneAsync(nameof(Phone_EveryModulePage_FitsWithItsContentAndCsvInReach), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password, "First Admin", tap: true);
            await Browser.InteractiveAsync(page);
            var url = portal.BaseUrl;

            // Backup & DR first: a tap on "Back up now" makes the recovery point the restore wizard needs while the other pages are looked at.
            await Browser.OpenAsync(page, url + "/backups");
            await Expect(page.GetByTestId("policy-table").GetByTestId("backup-now").First).ToBeVisibleAsync(Slow);
            await CheckAsync(page, "backup policies", page.GetByTestId("policy-table"), page.GetByTestId("backups-csv"));
            await page.GetByTestId("backup-now").First.TapAsync();
            await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("started");
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "DR drills" }).TapAsync();
            await CheckAsync(page, "DR drills", page.GetByTestId("drill-table"), null);
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Unprotected" }).TapAsync();
            await CheckAsync(page, "unprotected instances", page.GetByTestId("unprotected-table"), page.GetByTestId("unprotected-csv"));

            await Browser.OpenAsync(page, url + "/backups/policies/new");
            await CheckAsync(page, "backup policy editor", page.GetByTestId("policy-name"), null);
            await Expect(page.GetByTestId("policy-save")).ToBeVisibleAsync();
            await AssertWithinWidthAsync(page.GetByTestId("policy-save"), "backup policy editor's Save");

            // Compliance: its findings, policies, the YAML editor and exceptions.
            await Browser.OpenAsync(page, url + "/compliance");
            await CheckAsync(page, "compliance findings", page.GetByTestId("findings-grid"), page.GetByTestId("findings-csv"));
            await Browser.OpenAsync(page, url + "/compliance/policies");
            await CheckAsync(page, "compliance policies", page.GetByTestId("policy-table"), null);
            var policy = await page.GetByTestId("policy-link").First.GetAttributeAsync("href");
            await Browser.OpenAsync(page, url + "/compliance/policies/new");
            await CheckAsync(page, "new compliance policy", page.GetByTestId("yaml-editor"), null);
            await Browser.OpenAsync(page, url + (policy!.StartsWith('/') ? policy : "/" + policy));
            await CheckAsync(page, "compliance policy editor", page.GetByTestId("yaml-editor"), page.GetByTestId("policy-export"));
            await Browser.OpenAsync(page, url + "/compliance/exceptions");
            await CheckAsync(page, "compliance exceptions", page.GetByTestId("exceptions-grid"), page.GetByTestId("exceptions-csv"));

            // Auto Scaling: the groups and one group with its capacity chart.
            await Browser.OpenAsync(page, url + "/scaling");
            var group = page.GetByTestId("groups-grid").GetByTestId("group-link").First;
            await Expect(group).ToBeVisibleAsync(Slow);
            await CheckAsync(page, "auto scaling groups", page.GetByTestId("groups-grid"), page.GetByTestId("groups-csv"));
            await Browser.OpenAsync(page, url + await group.GetAttributeAsync("href"));
            await CheckAsync(page, "auto scaling group", page.GetByTestId("group-chart"), null);
            await Expect(page.GetByTestId("group-instances")).ToBeVisibleAsync();

            // Load balancing: the list and one load balancer with its target groups.
            await Browser.OpenAsync(page, url + "/load-balancing");
            var balancer = page.GetByTestId("lb-grid").GetByTestId("lb-name").First;
            await Expect(balancer).ToBeVisibleAsync(Slow);
            await CheckAsync(page, "load balancers", page.GetByTestId("lb-grid"), page.GetByTestId("lb-csv"));
            await Browser.OpenAsync(page, url + await balancer.GetAttributeAsync("href"));
            await Expect(page.GetByTestId("tg-card").First).ToBeVisibleAsync(Slow);
            await CheckAsync(page, "target groups", page.GetByTestId("lb-health-chart"), null);

            // Off-hours schedules and their calendar.
            await Browser.OpenAsync(page, url + "/scaling/off-hours");
            await CheckAsync(page, "off-hours schedules", page.GetByTestId("schedule-table"), page.GetByTestId("drift-csv"));
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Next 7 days" }).TapAsync();
            await CheckAsync(page, "off-hours calendar", page.GetByTestId("calendar-entry").First, null);

            // Cost: spend and recommendations, budgets, realized savings.
            await Browser.OpenAsync(page, url + "/costs");
            await Expect(page.GetByTestId("rec-grid")).ToBeVisibleAsync(Slow);
            await CheckAsync(page, "cost", page.GetByTestId("cost-chart"), page.GetByTestId("spend-csv"));
            await CheckAsync(page, "cost recommendations", page.GetByTestId("rec-grid"), page.GetByTestId("rec-csv"));
            await Browser.OpenAsync(page, url + "/costs/budgets");
            await page.GetByTestId("budget-new").TapAsync();
            await CheckAsync(page, "budgets", page.GetByTestId("budget-form"), null);
            await Browser.OpenAsync(page, url + "/costs/savings");
            await CheckAsync(page, "savings", page.GetByTestId("savings-grid"), page.GetByTestId("savings-csv"));

            // Patching: managed instances, baselines, runs, compliance.
            await Browser.OpenAsync(page, url + "/patching");
            await Expect(page.GetByTestId("patch-grid").Locator("tbody tr").First).ToBeVisibleAsync(Slow);
            await CheckAsync(page, "managed instances", page.GetByTestId("patch-grid"), null);
            await Browser.OpenAsync(page, url + "/patching/baselines");
            await page.GetByTestId("baseline-item").First.TapAsync();
            await CheckAsync(page, "patch baselines", page.GetByTestId("baseline-editor"), null);
            await Browser.OpenAsync(page, url + "/patching/runs");
            await CheckAsync(page, "patch runs", page.GetByTestId("run-table"), null);
            await Browser.OpenAsync(page, url + "/patching/compliance");
            await CheckAsync(page, "patch compliance", page.GetByTestId("compliance-csv"), page.GetByTestId("compliance-csv"));

            // Back to Backup & DR: the snapshot set taken at the start has become a recovery point to restore from.
            await Browser.OpenAsync(page, url + "/backups");
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Protected instances" }).TapAsync();
            var points = await page.GetByTestId("protected-points").First.GetAttributeAsync("href");
            var restore = page.GetByTestId("restore-point").First;
            for (var attempt = 0; attempt < 30 && await restore.CountAsync() == 0; attempt++)
            {
                await Browser.OpenAsync(page, url + points);
                await page.GetByTestId("recovery-points").WaitForAsync();
                if (await restore.CountAsync() == 0)
                {
                    await Task.Delay(5_000);
                }
            }

            await CheckAsync(page, "recovery points", page.GetByTestId("recovery-point-table"), null);
            await Browser.OpenAsync(page, url + await restore.GetAttributeAsync("href"));
            await CheckAsync(page, "restore wizard", page.GetByTestId("restore-submit"), null);
        });
    }

    /// <summary>
    /// The page lays out within the phone's width, its main content shows, and its CSV download (when it has one) is on screen
    /// horizontally; a screenshot of the whole page is kept either way.
    /// </summary>
    private static async Task CheckAsync(IPage page, string what, ILocator main, ILocator? csv)
    {
        await Expect(main).ToBeVisibleAsync(Slow);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"phone-{Slug(what)}.png"), FullPage = true });
        var width = await Browser.ScrollWidthAsync(page);
        Assert.True(width <= Browser.PhoneWidth, $"The {what} page is {width} px wide on a {Browser.PhoneWidth} px phone: it scrolls sideways.");
        await AssertWithinWidthAsync(main, what + "'s main content");
        var scrolling = await page.EvaluateAsync<string>("""
            () => [...document.querySelectorAll('.mud-table-container')]
              .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
              .map(e => `${e.closest('[data-testid]')?.dataset.testid ?? 'a table'} (${e.scrollWidth} px in ${e.clientWidth} px)`).join(', ')
            """);
        Assert.True(scrolling.Length == 0, $"On the {what} page these tables scroll sideways on a {Browser.PhoneWidth} px phone: {scrolling}.");
        if (csv is not null)
        {
            await Expect(csv).ToBeVisibleAsync();
            await AssertWithinWidthAsync(csv, what + "'s CSV download");
        }
    }

    private static async Task AssertWithinWidthAsync(ILocator element, string what)
    {
        await element.ScrollIntoViewIfNeededAsync();
        var box = await element.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= Browser.PhoneWidth + 0.5,
            $"The {what} spans x={box.X:0} to {box.X + box.Width:0} on a {Browser.PhoneWidth} px phone: partly out of reach.");
    }

    private static string Slug(string what) => what.Replace(' ', '-').Replace("'", string.Empty);

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Loopback.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
