using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

public sealed class AccessTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    public static TheoryData<string> ProtectedRoutes() => [.. ProtectedRouteList()];

    private static IEnumerable<string> ProtectedRouteList()
    {
        return typeof(Program).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<AllowAnonymousAttribute>() is null)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => r.Template)
            .Concat(["/jobs", "/audit/export.csv"])
            .Distinct()
            .Order();
    }

    [Fact]
    public void ProtectedRoutes_CoverEveryModule()
    {
        var routes = ProtectedRouteList().ToList();

        Assert.Contains("/", routes);
        Assert.Contains("/instances", routes);
        Assert.Contains("/scaling", routes);
        Assert.Contains("/compliance", routes);
        Assert.True(routes.Count >= 12, string.Join(", ", routes));
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Get_Anonymous_RedirectsToLogin(string route)
    {
        using var client = portal.AnonymousClient();

        var response = await client.GetAsync(route);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/health")]
    public async Task Get_AnonymousPublicRoute_Answers(string route)
    {
        using var client = portal.AnonymousClient();

        var response = await client.GetAsync(route);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_RefusedAndAudited()
    {
        await portal.CreateUserAsync("wrongpass", Role.Operator);
        using var client = portal.AnonymousClient();

        var response = await PortalFactory.PostFormAsync(client, "/login", "login", new Dictionary<string, string>
        {
            ["Input.UserName"] = "wrongpass",
            ["Input.Password"] = "not-the-password",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The user name or password is not right.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "auth.login", Outcome: AuditOutcome.Denied, ActorName: "wrongpass" });
    }

    [Fact]
    public async Task Login_FormWithoutAntiforgeryToken_Rejected()
    {
        await portal.CreateUserAsync("noantiforgery", Role.Admin);
        using var client = portal.AnonymousClient();

        var response = await PortalFactory.PostFormAsync(client, "/login", "login", new Dictionary<string, string>
        {
            ["Input.UserName"] = "noantiforgery",
            ["Input.Password"] = PortalFactory.Password,
        }, withAntiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.DoesNotContain(await portal.AuditAsync(), r => r.Event is { Action: "auth.login", ActorName: "noantiforgery" });
    }

    [Fact]
    public async Task Login_RightPassword_OpensPages()
    {
        await portal.CreateUserAsync("viewer1", Role.Viewer);
        using var client = await portal.LoginAsync("viewer1");

        var response = await client.GetAsync("/instances");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "auth.login", Outcome: AuditOutcome.Succeeded, ActorName: "viewer1" });
    }

    [Fact]
    public async Task Get_OperatorOnAdminEndpoint_ForbiddenAndAudited()
    {
        await portal.CreateUserAsync("operator1", Role.Operator);
        using var client = await portal.LoginAsync("operator1");

        var response = await client.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/access-denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "authorization.denied", Outcome: AuditOutcome.Denied, ActorName: "operator1", Target: "GET /jobs" });
    }

    [Fact]
    public async Task Get_AdminOnJobsDashboard_Served()
    {
        await portal.CreateUserAsync("admin1", Role.Admin);
        using var client = await portal.LoginAsync("admin1");

        var response = await client.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("PortalOps jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_IdleLongerThan30Minutes_Ends()
    {
        await portal.CreateUserAsync("idle1", Role.Viewer);
        using var client = await portal.LoginAsync("idle1");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/instances")).StatusCode);

        portal.Clock.Advance(TimeSpan.FromMinutes(31));
        var response = await client.GetAsync("/instances");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_ActiveButOlderThan12Hours_Ends()
    {
        await portal.CreateUserAsync("busy1", Role.Viewer);
        using var client = await portal.LoginAsync("busy1");

        // Stay active every 20 minutes (sliding keeps it alive) until the absolute limit passes.
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(11.5); elapsed += TimeSpan.FromMinutes(20))
        {
            portal.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/instances")).StatusCode);
        portal.Clock.Advance(TimeSpan.FromMinutes(25));
        var response = await client.GetAsync("/instances");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task Session_UserDisabled_EndsAtNextRequest()
    {
        var user = await portal.CreateUserAsync("disabled1", Role.Operator);
        using var client = await portal.LoginAsync("disabled1");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/instances")).StatusCode);

        using (var scope = portal.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
            var stored = (await users.FindAsync(user.Id))!;
            stored.Disable();
            await users.UpdateAsync(stored);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/instances")).StatusCode);
    }

    [Fact]
    public async Task AuditExport_Admin_GetsCsvWithFormulaSafeCells()
    {
        // Failed logins touch no resource, so only Admins read them (a Viewer's export holds their own and in-scope records).
        await portal.CreateUserAsync("exporter", Role.Admin);
        using (var failing = portal.AnonymousClient())
        {
            await PortalFactory.PostFormAsync(failing, "/login", "login", new Dictionary<string, string>
            {
                ["Input.UserName"] = "=SUM(1+1)*cmd|'/C.calc'!A0",
                ["Input.Password"] = "wrong password",
            });
        }

        using var client = await portal.LoginAsync("exporter");
        var response = await client.GetAsync("/audit/export.csv?action=auth.login");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sequence,at,actor,channel,action,target,outcome,detail,aws_request_id,hash", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Contains(",auth.login,", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",'=SUM(1+1)*cmd|'/C.calc'!A0,", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(",=SUM", StringComparison.Ordinal));
    }
}
