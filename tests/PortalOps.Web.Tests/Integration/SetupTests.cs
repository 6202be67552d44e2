using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The first-start setup link: works once, refuses wrong or reused tokens with an audit record and no change.</summary>
public sealed class SetupTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Setup_WrongThenRightThenReusedToken_OnlyTheRightOneCreatesTheAdmin()
    {
        using var client = portal.AnonymousClient();

        var wrong = await PostSetupAsync(client, "not-the-token", "mallory");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("This setup link is not valid", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await CountUsersAsync());
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "auth.setup", Outcome: AuditOutcome.Denied, ActorName: "mallory" });

        var token = await portal.Services.GetRequiredService<ISetupTokenStore>().IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromMinutes(5));
        var right = await PostSetupAsync(client, token, "root");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/users")).StatusCode);
        var admin = Assert.Single(await portal.Services.GetRequiredService<IUserStore>().ListAsync());
        Assert.Equal(("root", Role.Admin, "*/*"), (admin.UserName, admin.Role, admin.Scopes.Single().ToString()));

        using var other = portal.AnonymousClient();
        var reused = await PostSetupAsync(other, token, "second");
        Assert.Contains("This setup link is not valid", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await CountUsersAsync());
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "auth.setup", Outcome: AuditOutcome.Denied, ActorName: "second" });
    }

    private static Task<HttpResponseMessage> PostSetupAsync(HttpClient client, string token, string userName) =>
        PortalFactory.PostFormAsync(client, $"/setup?token={token}", "setup", new Dictionary<string, string>
        {
            ["Input.Token"] = token,
            ["Input.UserName"] = userName,
            ["Input.Password"] = PortalFactory.Password,
            ["Input.Confirm"] = PortalFactory.Password,
        });

    private async Task<int> CountUsersAsync() => await portal.Services.GetRequiredService<IUserStore>().CountAsync();
}
