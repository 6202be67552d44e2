using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// Behind a proxy: forwarded headers believed only from <c>Proxy:KnownProxies</c>; HSTS and secure cookies over HTTPS;
/// a content security policy that forbids framing. The test server has no peer address, so a test header stands in for it.
/// </summary>
public sealed partial class SecurityHeadersTests : IDisposable
{
    private const string KnownProxy = "10.0.0.5";
    private const string PeerHeader = "X-Test-Peer";

    private readonly PortalFactory _base = new PortalFactory().With("Proxy:KnownProxies:0", KnownProxy);
    private readonly WebApplicationFactory<Program> _portal;

    public SecurityHeadersTests() =>
        _portal = _base.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerAddressFromHeader>()));

    public void Dispose() => _base.Dispose();

    [Fact]
    public async Task Get_LoginPage_ForbidsFramingAndForeignScripts()
    {
        using var client = Client();

        var response = await client.GetAsync("/login");
        var html = await response.Content.ReadAsStringAsync();

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var scripts = Directive(csp, "script-src");
        Assert.DoesNotContain("'unsafe-inline'", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", scripts, StringComparison.Ordinal);

        // The one inline script (the import map) carries this answer's nonce, and the next answer gets another.
        var nonce = NonceInPolicy().Match(scripts).Groups[1].Value;
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\"", html, StringComparison.Ordinal);
        var next = Single(await client.GetAsync("/login"), "Content-Security-Policy");
        Assert.DoesNotContain(nonce, next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_PlainHttp_NoHstsAndCookiesNotSecure()
    {
        using var client = Client();

        var response = await client.GetAsync("/login");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.All(SetCookies(response), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Get_ForwardedHttpsFromKnownProxy_HstsAndSecureCookies()
    {
        using var client = Client();

        var response = await client.SendAsync(Forwarded("/login", from: KnownProxy));

        Assert.StartsWith("max-age=", Single(response, "Strict-Transport-Security"), StringComparison.Ordinal);
        var cookies = SetCookies(response);
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Get_ForwardedHttpsFromUnknownProxy_Ignored()
    {
        using var client = Client();

        var response = await client.SendAsync(Forwarded("/login", from: "10.9.9.9"));

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.NotEmpty(SetCookies(response));
        Assert.All(SetCookies(response), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Get_ForwardedHostFromUnknownProxy_DoesNotChangeRedirects()
    {
        using var client = Client();
        var request = Forwarded("/instances", from: "10.9.9.9");
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("evil.example", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("https:", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_OverHttps_SessionCookieSecureAndHsts()
    {
        await CreateUserAsync("httpsuser");
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost") });

        var response = await PortalFactory.PostFormAsync(client, "/login", "login", new Dictionary<string, string>
        {
            ["Input.UserName"] = "httpsuser",
            ["Input.Password"] = PortalFactory.Password,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var session = Assert.Single(SetCookies(response), c => c.StartsWith("PortalOps.Session=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
    }

    private HttpClient Client() =>
        _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static HttpRequestMessage Forwarded(string url, string from)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(PeerHeader, from);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return request;
    }

    private async Task CreateUserAsync(string userName)
    {
        using var scope = _portal.Services.CreateScope();
        var user = new PortalUser(Guid.NewGuid(), userName, userName, Role.Viewer, [Scope.Parse("*/*")], DateTimeOffset.UtcNow);
        user.SetPasswordHash(scope.ServiceProvider.GetRequiredService<IPasswordHasher<PortalUser>>().HashPassword(user, PortalFactory.Password));
        await scope.ServiceProvider.GetRequiredService<IUserStore>().AddAsync(user);
    }

    private static string Single(HttpResponseMessage response, string header) => Assert.Single(response.Headers.GetValues(header));

    private static List<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    private static string Directive(string policy, string name) =>
        policy.Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith(name + " ", StringComparison.Ordinal));

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NonceInPolicy();

    /// <summary>Sets the connection's peer address from a test header, as a real server would from the socket.</summary>
    private sealed class PeerAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers[PeerHeader].FirstOrDefault() ?? "192.0.2.1");
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
