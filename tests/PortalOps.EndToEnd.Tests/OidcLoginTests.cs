using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>Single sign-on through a real OpenID Connect provider: the code flow, role claims mapped to portal roles, and refusals.</summary>
[Trait("Category", "Peer")]
public sealed class OidcLoginTests(Browser browser) : IClassFixture<Browser>
{
    [Theory]
    [InlineData("olivia", "Admin")]
    [InlineData("otto", "Operator")]
    [InlineData("vera", "Viewer")]
    public async Task Login_RoleClaim_MapsToPortalRole(string user, string role)
    {
        await using var sso = await StartAsync();

        await browser.RunAsync($"oidc-{user}", async page =>
        {
            await LoginAsync(page, sso.Portal, user);
            await page.WaitForURLAsync(sso.Portal.BaseUrl + "/");
            await Browser.InteractiveAsync(page);
            await Expect(page.GetByTestId("total-instances")).ToBeVisibleAsync();
            await page.GetByLabel("Account").ClickAsync();
            await Expect(page.GetByTestId("current-user")).ToHaveTextAsync($"{user} · {role}");
        });
    }

    [Fact]
    public async Task Login_NoMappedRole_RefusedWithMessage()
    {
        await using var sso = await StartAsync();

        await browser.RunAsync("oidc-nobody", async page =>
        {
            await LoginAsync(page, sso.Portal, "nobody");
            await page.WaitForURLAsync("**/login?error=norole");
            await Expect(page.GetByTestId("login-error")).ToContainTextAsync("no PortalOps role");
        });
    }

    [Fact]
    public async Task Login_Operator_CannotOpenUsersPage()
    {
        await using var sso = await StartAsync();

        await browser.RunAsync("oidc-operator-users", async page =>
        {
            await LoginAsync(page, sso.Portal, "otto");
            await page.WaitForURLAsync(sso.Portal.BaseUrl + "/");
            await page.GotoAsync(sso.Portal.BaseUrl + "/users");
            Assert.Contains("/access-denied", page.Url, StringComparison.Ordinal);
            await Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task Logout_SingleSignOn_EndsTheProviderSessionToo()
    {
        await using var sso = await StartAsync();

        await browser.RunAsync("oidc-logout", async page =>
        {
            await LoginAsync(page, sso.Portal, "otto");
            await page.WaitForURLAsync(sso.Portal.BaseUrl + "/");
            await Browser.InteractiveAsync(page);
            await page.GetByLabel("Account").ClickAsync();
            await page.GetByTestId("logout").ClickAsync();

            // RP-initiated logout: the provider asks to confirm ending its own session, then sends the person back.
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(sso.Provider.Authority)));
            await page.Locator("button[name=logout][value=yes]").ClickAsync();
            await page.WaitForURLAsync("**/login?signedout=1");

            // The provider no longer knows the person: single sign-on asks for credentials again.
            await page.GetByTestId("login-sso").ClickAsync();
            await Expect(page.Locator("input[name=login]")).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task Login_FirstSingleSignOn_NoScopesAndSecondLoginReusesTheAccount()
    {
        await using var sso = await StartAsync();

        for (var round = 1; round <= 2; round++)
        {
            await browser.RunAsync($"oidc-relogin-{round}", async page =>
            {
                await LoginAsync(page, sso.Portal, "vera");
                await page.WaitForURLAsync(sso.Portal.BaseUrl + "/");
            });
        }

        var accounts = await SsoAccountsAsync(sso.Portal);
        var vera = Assert.Single(accounts);
        Assert.Equal("vera", vera.UserName);
        Assert.EndsWith("|vera", vera.ExternalSubject, StringComparison.Ordinal);
        Assert.Equal("[]", vera.Scopes);
    }

    private static async Task<List<(string UserName, string ExternalSubject, string Scopes)>> SsoAccountsAsync(Portal portal)
    {
        var file = Path.Combine(portal.DataPath, "portalops.db");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT UserName, ExternalSubject, Scopes FROM Users WHERE ExternalSubject IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    private static async Task LoginAsync(IPage page, Portal portal, string user)
    {
        await page.GotoAsync(portal.BaseUrl + "/");
        await page.WaitForURLAsync("**/login?*");
        await page.GetByTestId("login-sso").ClickAsync();
        await page.FillAsync("input[name=login]", user);
        await page.FillAsync("input[name=password]", "any password works on the test provider");
        await page.ClickAsync("button[type=submit]");

        // The provider asks for consent the first time.
        var consent = page.Locator("button[type=submit]", new PageLocatorOptions { HasText = "Continue" });
        if (await consent.CountAsync() > 0 || await WaitForConsentAsync(page))
        {
            await consent.ClickAsync();
        }
    }

    private static async Task<bool> WaitForConsentAsync(IPage page)
    {
        try
        {
            await page.Locator("button[type=submit]", new PageLocatorOptions { HasText = "Continue" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 5_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<SsoSetup> StartAsync()
    {
        var port = Loopback.FreePort();
        var provider = await OidcProvider.StartAsync($"http://127.0.0.1:{port}");
        try
        {
            var portal = await Portal.StartAsync(provider.PortalSettings(), port);
            return new SsoSetup(provider, portal);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    private sealed record SsoSetup(OidcProvider Provider, Portal Portal) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Portal.DisposeAsync();
            await Provider.DisposeAsync();
        }
    }
}
