using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>The pages satisfy the portal's own content security policy: a browser reports no violation, logged out or in.</summary>
[Trait("Category", "Peer")]
public sealed class ContentSecurityPolicyTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task Pages_LoginAndLoggedIn_NoPolicyViolations()
    {
        await using var portal = await Portal.StartAsync();
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        var violations = new List<string>();
        var watching = true;
        await browser.RunAsync(nameof(Pages_LoginAndLoggedIn_NoPolicyViolations), async page =>
        {
            page.Console += (_, message) =>
            {
                if (watching && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    violations.Add($"{page.Url}: {message.Text}");
                }
            };
            await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");

            async Task CheckAsync()
            {
                var reported = await page.EvaluateAsync<string[]>("() => window.__csp");
                violations.AddRange(reported.Select(r => $"{page.Url}: {r}"));
            }

            // Logged out: the login page, styled (the stylesheet loaded) and without violations.
            await page.GotoAsync(portal.BaseUrl + "/login");
            await Expect(page.GetByTestId("login-submit")).ToBeVisibleAsync();
            Assert.NotEqual("rgba(0, 0, 0, 0)", await page.EvalOnSelectorAsync<string>(".account-page", "e => getComputedStyle(e).backgroundColor"));
            await CheckAsync();

            // Setup, then logged-in pages with a live circuit (WebSocket) and MudBlazor's inline styles.
            await portal.CreateFirstAdminAsync(page, link, Password);
            await Browser.InteractiveAsync(page);
            await Expect(page.GetByTestId("total-instances")).ToBeVisibleAsync();
            await CheckAsync();

            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            await Expect(page.Locator("tbody tr [data-state]").First).ToBeVisibleAsync();
            await CheckAsync();

            await page.GotoAsync(portal.BaseUrl + "/jobs");
            await Expect(page.GetByText("PortalOps jobs").First).ToBeVisibleAsync();
            await CheckAsync();

            // The watch itself works: an injected inline script is refused and reported.
            watching = false;
            await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }");
            await page.WaitForTimeoutAsync(300);
            Assert.Contains(await page.EvaluateAsync<string[]>("() => window.__csp"), r => r.StartsWith("script-src", StringComparison.Ordinal));
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__ran"));
        });

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
