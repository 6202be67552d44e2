using Microsoft.Playwright;

namespace PortalOps.EndToEnd.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright, headless, with no browser download and no background traffic.</summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's Chromium (apt-get install -y chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>Waits until the page's Blazor circuit is connected, so clicks reach the server.</summary>
    public static Task InteractiveAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    /// <summary>Opens a page of the portal and waits until it is interactive.</summary>
    public static async Task OpenAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await InteractiveAsync(page);
    }

    /// <summary>
    /// Waits until a save has taken the page to <paramref name="url"/> (a minute: the first save after a cold start on a busy
    /// machine is slow); when it does not, fails with what the page says instead — its errors, the reason Save is off, Blazor's error bar.
    /// </summary>
    public static async Task SavedToAsync(IPage page, string url)
    {
        try
        {
            await page.WaitForURLAsync(url, new PageWaitForURLOptions { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            var said = await page.EvaluateAsync<string>("""
                () => [...document.querySelectorAll('.mud-alert, .mud-input-error, [data-testid$=-why], #blazor-error-ui, #components-reconnect-modal, .mud-snackbar')]
                  .filter(e => e.offsetParent !== null).map(e => e.innerText.trim()).filter(t => t).join(' | ')
                """);
            throw new TimeoutException($"Still at {page.Url} a minute after saving, not at {url}. The page says: {(said.Length > 0 ? said : "nothing")}");
        }
    }

    /// <summary>Runs a scenario in a fresh browser context; on failure saves a screenshot under TestResults/screenshots and rethrows.</summary>
    public Task RunAsync(string name, Func<IPage, Task> scenario) =>
        RunAsync(name, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } }, scenario);

    /// <summary>The same on a phone: 390 x 844 CSS pixels, touch, the page's own viewport meta tag in force.</summary>
    public Task RunOnPhoneAsync(string name, Func<IPage, Task> scenario) =>
        RunAsync(name, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = PhoneWidth, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 }, scenario);

    public const int PhoneWidth = 390;

    /// <summary>How wide the page is laid out, in CSS pixels: more than the viewport means the person has to scroll sideways.</summary>
    public static Task<int> ScrollWidthAsync(IPage page) => page.EvaluateAsync<int>("() => document.scrollingElement.scrollWidth");

    private async Task RunAsync(string name, BrowserNewContextOptions options, Func<IPage, Task> scenario)
    {
        await using var context = await _browser!.NewContextAsync(options);
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        try
        {
            await scenario(page);
        }
        catch
        {
            var folder = Path.Combine(Loopback.RepositoryRoot, "TestResults", "screenshots");
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
            throw;
        }
    }
}
