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

    // The Sandbox account's id (SandboxFleet.AccountId).
    private const string SandboxAccount = "000000000000";

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
            var problems = new List<string>();
            Task CheckAsync(string what, ILocator main, ILocator? csv) => CheckPageAsync(page, what, main, csv, problems);

            // Backup & DR: policies, drills, unprotected instances, the policy editor.
            await Browser.OpenAsync(page, url + "/backups");
            await Expect(page.GetByTestId("policy-table").GetByTestId("backup-now").First).ToBeVisibleAsync(Slow);
            await CheckAsync("backup policies", page.GetByTestId("policy-table"), page.GetByTestId("backups-csv"));
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "DR drills" }).TapAsync();
            await CheckAsync("DR drills", page.GetByTestId("drill-table"), null);
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Unprotected" }).TapAsync();
            await CheckAsync("unprotected instances", page.GetByTestId("unprotected-table"), page.GetByTestId("unprotected-csv"));

            await Browser.OpenAsync(page, url + "/backups/policies/new");
            await CheckAsync("backup policy editor", page.GetByTestId("policy-name"), null);
            await Expect(page.GetByTestId("policy-save")).ToBeVisibleAsync();
            await WithinWidthAsync(page.GetByTestId("policy-save"), "backup policy editor's Save", problems);

            // Compliance: its findings, policies, the YAML editor and exceptions.
            await Browser.OpenAsync(page, url + "/compliance");
            await CheckAsync("compliance findings", page.GetByTestId("findings-grid"), page.GetByTestId("findings-csv"));
            await Browser.OpenAsync(page, url + "/compliance/policies");
            await CheckAsync("compliance policies", page.GetByTestId("policy-table"), null);
            var policy = await page.GetByTestId("policy-link").First.GetAttributeAsync("href");
            await Browser.OpenAsync(page, url + "/compliance/policies/new");
            await CheckAsync("new compliance policy", page.GetByTestId("yaml-editor"), null);
            await Browser.OpenAsync(page, url + (policy!.StartsWith('/') ? policy : "/" + policy));
            await CheckAsync("compliance policy editor", page.GetByTestId("yaml-editor"), page.GetByTestId("policy-export"));
            await Browser.OpenAsync(page, url + "/compliance/exceptions");
            await CheckAsync("compliance exceptions", page.GetByTestId("exceptions-grid"), page.GetByTestId("exceptions-csv"));

            // Auto Scaling: the groups and one group with its capacity chart.
            await Browser.OpenAsync(page, url + "/scaling");
            var group = page.GetByTestId("groups-grid").GetByTestId("group-link").First;
            await Expect(group).ToBeVisibleAsync(Slow);
            await CheckAsync("auto scaling groups", page.GetByTestId("groups-grid"), page.GetByTestId("groups-csv"));
            await Browser.OpenAsync(page, url + await group.GetAttributeAsync("href"));
            await CheckAsync("auto scaling group", page.GetByTestId("group-chart"), null);
            await Expect(page.GetByTestId("group-instances")).ToBeVisibleAsync();

            // The Sandbox's group metrics: prod-api's chart joins CloudWatch to the stored history; staging-worker has none enabled.
            await Browser.OpenAsync(page, $"{url}/scaling/{SandboxAccount}/eu-west-1/prod-api");
            await Expect(page.GetByTestId("group-chart-source")).ToContainTextAsync("stored history where CloudWatch has no data", new() { Timeout = 15_000 });
            await Browser.OpenAsync(page, $"{url}/scaling/{SandboxAccount}/eu-west-1/staging-worker");
            await Expect(page.GetByTestId("group-chart-notice")).ToContainTextAsync("CloudWatch group metrics are not enabled for this group", new() { Timeout = 15_000 });
            await CheckAsync("auto scaling group without CloudWatch metrics", page.GetByTestId("group-chart-notice"), null);

            // Load balancing: the list and one load balancer with its target groups.
            await Browser.OpenAsync(page, url + "/load-balancing");
            var balancer = page.GetByTestId("lb-grid").GetByTestId("lb-name").First;
            await Expect(balancer).ToBeVisibleAsync(Slow);
            await CheckAsync("load balancers", page.GetByTestId("lb-grid"), page.GetByTestId("lb-csv"));
            await Browser.OpenAsync(page, url + await balancer.GetAttributeAsync("href"));
            await Expect(page.GetByTestId("tg-card").First).ToBeVisibleAsync(Slow);
            await CheckAsync("target groups", page.GetByTestId("lb-health-chart"), null);

            // Off-hours schedules and their calendar.
            await Browser.OpenAsync(page, url + "/scaling/off-hours");
            await CheckAsync("off-hours schedules", page.GetByTestId("schedule-table"), page.GetByTestId("drift-csv"));
            await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Next 7 days" }).TapAsync();
            await CheckAsync("off-hours calendar", page.GetByTestId("calendar-entry").First, null);

            // Cost: spend and recommendations, budgets, realized savings.
            await Browser.OpenAsync(page, url + "/costs");
            await Expect(page.GetByTestId("rec-grid")).ToBeVisibleAsync(Slow);
            await CheckAsync("cost", page.GetByTestId("cost-chart"), page.GetByTestId("spend-csv"));
            await CheckAsync("cost recommendations", page.GetByTestId("rec-grid"), page.GetByTestId("rec-csv"));
            await Browser.OpenAsync(page, url + "/costs/budgets");
            await page.GetByTestId("budget-new").TapAsync();
            await CheckAsync("budgets", page.GetByTestId("budget-form"), null);
            await Browser.OpenAsync(page, url + "/costs/savings");
            await CheckAsync("savings", page.GetByTestId("savings-grid"), page.GetByTestId("savings-csv"));

            // Patching: managed instances, baselines, runs, compliance.
            await Browser.OpenAsync(page, url + "/patching");
            await Expect(page.GetByTestId("patch-grid").Locator("tbody tr").First).ToBeVisibleAsync(Slow);
            await CheckAsync("managed instances", page.GetByTestId("patch-grid"), page.GetByTestId("instances-csv"));
            await Browser.OpenAsync(page, url + "/patching/baselines");
            await page.GetByTestId("baseline-item").First.TapAsync();
            await CheckAsync("patch baselines", page.GetByTestId("baseline-editor"), null);
            await Browser.OpenAsync(page, url + "/patching/runs");
            await CheckAsync("patch runs", page.GetByTestId("run-table"), null);
            await Browser.OpenAsync(page, url + "/patching/compliance");
            await CheckAsync("patch compliance", page.GetByTestId("compliance-csv"), page.GetByTestId("compliance-csv"));

            // Backup & DR for one instance: its recovery points, and the restore wizard's first step (the DR-region plan).
            await Browser.OpenAsync(page, url + "/instances");
            var instance = await page.Locator("a[data-testid^=instance-link-]").First.GetAttributeAsync("href");
            var parts = instance!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var (account, region, id) = (parts[^3], parts[^2], parts[^1]);
            await Browser.OpenAsync(page, $"{url}/backups/instances/{account}/{region}/{id}");
            await CheckAsync("recovery points", page.GetByTestId("recovery-points"), null);
            await Browser.OpenAsync(page, $"{url}/backups/restore/{account}/{region}/{id}");
            await Expect(page.GetByTestId("restore-instance-type")).ToBeVisibleAsync();
            await CheckAsync("restore wizard", page.GetByTestId("restore-submit"), null);

            Assert.True(problems.Count == 0, $"On a {Browser.PhoneWidth} px phone:\n" + string.Join("\n", problems));
        });
    }

    /// <summary>
    /// The page lays out within the phone's width, no table on it scrolls sideways, its main content shows, and its CSV download (when it
    /// has one) is on screen; a screenshot of the whole page is kept either way. What does not fit is added to <paramref name="problems"/>.
    /// </summary>
    private static async Task CheckPageAsync(IPage page, string what, ILocator main, ILocator? csv, List<string> problems)
    {
        await Expect(main).ToBeVisibleAsync(Slow);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"phone-{Slug(what)}.png"), FullPage = true });
        var width = await Browser.ScrollWidthAsync(page);
        if (width > Browser.PhoneWidth)
        {
            problems.Add($"the {what} page is {width} px wide: it scrolls sideways");
        }

        var scrolling = await page.EvaluateAsync<string>("""
            () => [...document.querySelectorAll('.mud-table-container')]
              .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
              .map(e => `${e.closest('[data-testid]')?.dataset.testid ?? 'a table'} (${e.scrollWidth} px in ${e.clientWidth} px)`).join(', ')
            """);
        if (scrolling.Length > 0)
        {
            problems.Add($"on the {what} page these tables scroll sideways: {scrolling}");
        }

        await WithinWidthAsync(main, what + "'s main content", problems);
        if (csv is not null)
        {
            await Expect(csv).ToBeVisibleAsync();
            await WithinWidthAsync(csv, what + "'s CSV download", problems);
        }
    }

    private static async Task WithinWidthAsync(ILocator element, string what, List<string> problems)
    {
        await element.ScrollIntoViewIfNeededAsync();
        var box = await element.BoundingBoxAsync();
        Assert.NotNull(box);
        if (box.X < 0 || box.X + box.Width > Browser.PhoneWidth + 0.5)
        {
            problems.Add($"the {what} spans x={box.X:0} to {box.X + box.Width:0}: partly off screen");
        }
    }

    private static string Slug(string what) => what.Replace(' ', '-').Replace("'", string.Empty);

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Loopback.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
