using System.Net;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>Logging out ends the session on the server: a copy of the cookie taken before is refused afterwards.</summary>
public sealed class LogoutTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Logout_CookieCapturedBefore_RefusedAfterwards()
    {
        await portal.CreateUserAsync("leo", Role.Operator);
        var (client, cookie) = await LoginCapturingCookieAsync("leo");
        using var replay = ClientWith(cookie);
        Assert.Equal(HttpStatusCode.OK, (await replay.GetAsync("/")).StatusCode);

        var logout = await LogoutAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login?signedout=1", logout.Headers.Location!.OriginalString);
        var after = await replay.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_RefusedAndTheSessionStaysOpen()
    {
        await portal.CreateUserAsync("lola", Role.Viewer);
        var (client, _) = await LoginCapturingCookieAsync("lola");

        var forged = await client.PostAsync("/logout", null);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Contains(await portal.AuditAsync(), r => r.Event.Action == "auth.logout" && r.Event.ActorName == "lola" && r.Event.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public async Task Logout_SignedInUser_Audited()
    {
        var user = await portal.CreateUserAsync("lena", Role.Viewer);
        var (client, _) = await LoginCapturingCookieAsync("lena");

        await LogoutAsync(client);

        var logout = Assert.Single(await portal.AuditAsync(), r => r.Event.Action == "auth.logout" && r.Event.ActorId == user.Id).Event;
        Assert.Equal(AuditOutcome.Succeeded, logout.Outcome);
        Assert.Equal("lena", logout.ActorName);
        Assert.Contains("Session ended on the server", logout.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_TwoSessions_LogoutOfOneKeepsTheOther()
    {
        await portal.CreateUserAsync("lars", Role.Viewer);
        var (first, _) = await LoginCapturingCookieAsync("lars");
        var (_, secondCookie) = await LoginCapturingCookieAsync("lars");

        await LogoutAsync(first);

        using var second = ClientWith(secondCookie);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/")).StatusCode);
    }

    private async Task<(HttpClient Client, string Cookie)> LoginCapturingCookieAsync(string userName)
    {
        var client = portal.AnonymousClient();
        var response = await PortalFactory.PostFormAsync(client, "/login", "login", new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Password"] = PortalFactory.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("PortalOps.Session=", StringComparison.Ordinal)).Split(';')[0];
        return (client, cookie);
    }

    private HttpClient ClientWith(string cookie)
    {
        var client = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    /// <summary>Logs out as the page's own form does: with the antiforgery token the layout renders.</summary>
    private static async Task<HttpResponseMessage> LogoutAsync(HttpClient client)
    {
        var page = await (await client.GetAsync("/")).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(token.Success, "The page carries no antiforgery token for the logout form.");
        return await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) }));
    }
}
