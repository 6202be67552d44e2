using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;
using UsersPage = PortalOps.Web.Components.Pages.Users.Users;

namespace PortalOps.Web.Tests.Components.Pages.Users;

public sealed class UsersTests : PortalTestContext
{
    private readonly PortalUser _admin;
    private readonly PortalUser _bob;

    public UsersTests()
    {
        _admin = SignIn("alice", Role.Admin);
        _bob = AddUser("bob", Role.Operator, Scope.Parse("000000000000/eu-west-1"));
    }

    [Fact]
    public void Render_TwoUsers_ListsNameRoleScopesLoginAuthenticatorAndStatus()
    {
        var sso = new PortalUser(Guid.NewGuid(), "sam", "Sam", Role.Viewer, [Scope.Everything], Clock.GetUtcNow());
        sso.LinkExternal("https://idp|sam");
        sso.EnableTotp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        sso.Disable();
        Users.Put(sso);

        var page = RenderPage<UsersPage>();

        page.WaitForElement("[data-testid=user-sam]");
        var text = page.Find("[data-testid=users-grid]").TextContent;
        Assert.Contains("000000000000/eu-west-1", text, StringComparison.Ordinal);
        Assert.Equal("Operator", page.Find("[data-testid=user-role-bob]").TextContent);
        Assert.Equal("disabled", page.Find("[data-testid=user-status-sam]").TextContent.Trim());
        Assert.Equal("enabled", page.Find("[data-testid=user-status-bob]").TextContent.Trim());
        Assert.Equal(("SSO", "on"), (page.Find("[data-testid=user-login-sam]").TextContent, page.Find("[data-testid=user-totp-sam]").TextContent));
        Assert.Equal(("local", "off"), (page.Find("[data-testid=user-login-bob]").TextContent, page.Find("[data-testid=user-totp-bob]").TextContent));
        Assert.NotEmpty(page.FindAll("[data-testid=user-enable-sam]"));
    }

    [Fact]
    public void EditScopes_OneInvalidLine_ShowsItsMessageAtTheFieldAndSavesNothing()
    {
        var page = RenderPage<UsersPage>();
        page.WaitForElement("[data-testid=user-edit-bob]").Click();

        page.Find("textarea[data-testid=edit-scopes]").Change("*/*\nnot a scope\n000000000000/eu-west-1/env=prod");
        page.Find("[data-testid=edit-save]").Click();

        Scope.TryParse("not a scope", out _, out var expected);
        Assert.Equal($"Line 2: {expected}", page.Find("[data-testid=scope-error]").TextContent);
        Assert.Equal(["000000000000/eu-west-1"], Users.Get(_bob.Id)!.Scopes.Select(s => s.ToString()));
        Assert.Empty(AuditLog.Events("users.update"));
    }

    [Fact]
    public void EditScopes_AllLinesEmpty_RefusedWithNeedsAScope()
    {
        var page = RenderPage<UsersPage>();
        page.WaitForElement("[data-testid=user-edit-bob]").Click();

        page.Find("textarea[data-testid=edit-scopes]").Change("\n  \n");
        page.Find("[data-testid=edit-save]").Click();

        Assert.Equal(UserAdministration.NeedsAScope, page.Find("[data-testid=scope-error]").TextContent);
        Assert.Single(Users.Get(_bob.Id)!.Scopes);
    }

    [Fact]
    public async Task EditRole_ValidChange_SavesAndAuditsOldAndNewValues()
    {
        var page = RenderPage<UsersPage>();
        page.WaitForElement("[data-testid=user-edit-bob]").Click();

        await page.InvokeAsync(() => page.FindComponent<MudSelect<Role>>().Instance.ValueChanged.InvokeAsync(Role.Approver));
        page.Find("textarea[data-testid=edit-scopes]").Change("000000000000/*\n111111111111/us-east-1/team=web");
        page.Find("[data-testid=edit-save]").Click();

        page.WaitForAssertion(() => Assert.Equal("Approver", page.Find("[data-testid=user-role-bob]").TextContent));
        var stored = Users.Get(_bob.Id)!;
        Assert.Equal(Role.Approver, stored.Role);
        Assert.Equal(["000000000000/*", "111111111111/us-east-1/team=web"], stored.Scopes.Select(s => s.ToString()));
        var audit = Assert.Single(AuditLog.Events("users.update"));
        Assert.Equal(("alice", _admin.Id, AuditOutcome.Succeeded, "user:bob"), (audit.ActorName, audit.ActorId, audit.Outcome, audit.Target));
        Assert.Equal("Operator on 000000000000/eu-west-1 → Approver on 000000000000/*, 111111111111/us-east-1/team=web", audit.Detail);
        Assert.Empty(page.FindAll("[data-testid=user-editor]"));
        Assert.Contains("bob is now Approver", page.Find("[data-testid=users-message]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditRole_LastAdminDemotesThemselves_RefusedWithAClearMessage()
    {
        var page = RenderPage<UsersPage>();
        page.WaitForElement("[data-testid=user-edit-alice]").Click();

        await page.InvokeAsync(() => page.FindComponent<MudSelect<Role>>().Instance.ValueChanged.InvokeAsync(Role.Operator));
        page.Find("[data-testid=edit-save]").Click();

        Assert.Equal(
            "alice is the last enabled Admin and cannot be demoted; make someone else Admin first.",
            page.Find("[data-testid=edit-error]").TextContent);
        Assert.Equal(Role.Admin, Users.Get(_admin.Id)!.Role);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(AuditLog.Events("users.update")).Outcome);
    }

    [Fact]
    public void Disable_OtherUser_DisablesAndAudits()
    {
        var page = RenderPage<UsersPage>();

        page.WaitForElement("[data-testid=user-disable-bob]").Click();

        page.WaitForAssertion(() => Assert.Equal("disabled", page.Find("[data-testid=user-status-bob]").TextContent.Trim()));
        Assert.True(Users.Get(_bob.Id)!.IsDisabled);
        var audit = Assert.Single(AuditLog.Events("users.disable"));
        Assert.Equal(("alice", "enabled → disabled"), (audit.ActorName, audit.Detail));
        Assert.NotEmpty(page.FindAll("[data-testid=user-enable-bob]"));
    }

    [Fact]
    public void Disable_Themselves_RefusedAndStillEnabled()
    {
        AddUser("anna", Role.Admin);
        var page = RenderPage<UsersPage>();

        page.WaitForElement("[data-testid=user-disable-alice]").Click();

        page.WaitForAssertion(() => Assert.Equal("You cannot disable your own account.", page.Find("[data-testid=users-message]").TextContent));
        Assert.False(Users.Get(_admin.Id)!.IsDisabled);
    }

    [Fact]
    public async Task Create_ValidLocalUser_IsStoredWithAPasswordAndAudited()
    {
        var page = RenderPage<UsersPage>();
        page.Find("[data-testid=user-create]").Click();

        page.Find("input[data-testid=new-username]").Change("carol");
        page.Find("input[data-testid=new-displayname]").Input("Carol Chen");
        await page.InvokeAsync(() => page.FindComponent<MudSelect<Role>>().Instance.ValueChanged.InvokeAsync(Role.Operator));
        page.Find("textarea[data-testid=new-scopes]").Change("000000000000/eu-west-1");
        page.Find("input[data-testid=new-password]").Change("a long enough secret");
        page.Find("input[data-testid=new-confirm]").Change("a long enough secret");
        page.Find("[data-testid=new-save]").Click();

        page.WaitForElement("[data-testid=user-carol]");
        var carol = Users.Get("carol");
        Assert.Equal((Role.Operator, "Carol Chen"), (carol.Role, carol.DisplayName));
        Assert.Equal(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Success, Hasher.VerifyHashedPassword(carol, carol.PasswordHash!, "a long enough secret"));
        var audit = Assert.Single(AuditLog.Events("users.create"));
        Assert.Equal(("alice", "user:carol"), (audit.ActorName, audit.Target));
        Assert.Empty(page.FindAll("[data-testid=new-user]"));
    }

    [Fact]
    public async Task Create_ShortPasswordAndBadScope_ShowsBothMessagesAndCreatesNothing()
    {
        var page = RenderPage<UsersPage>();
        page.Find("[data-testid=user-create]").Click();

        page.Find("input[data-testid=new-username]").Change("carol");
        page.Find("textarea[data-testid=new-scopes]").Change("eu-west-1");
        page.Find("input[data-testid=new-password]").Change("short");
        page.Find("input[data-testid=new-confirm]").Change("short");
        page.Find("[data-testid=new-save]").Click();

        var form = page.Find("[data-testid=new-user]").TextContent;
        Assert.Contains("A password needs at least 12 characters.", form, StringComparison.Ordinal);
        Assert.Contains("Line 1: 'eu-west-1' is not a scope", form, StringComparison.Ordinal);
        Assert.Equal(2, (await Users.ListAsync()).Count);
        Assert.Empty(AuditLog.Events("users.create"));
    }

    [Fact]
    public void Create_Opened_ScopesStartWithEveryRegionOfEachAccount()
    {
        var page = RenderPage<UsersPage>();
        page.Find("[data-testid=user-create]").Click();

        Assert.Equal("000000000000/*", page.Find("textarea[data-testid=new-scopes]").GetAttribute("value") ?? page.Find("textarea[data-testid=new-scopes]").TextContent);
        Assert.True(UserAdministration.ParseScopes("000000000000/*").IsValid);
    }

    [Fact]
    public void EditDisplayName_ByAdmin_IsSavedAndAudited()
    {
        var page = RenderPage<UsersPage>();
        page.WaitForElement("[data-testid=user-edit-bob]").Click();

        page.Find("input[data-testid=edit-displayname]").Input("Bob Builder");
        page.Find("[data-testid=edit-save]").Click();

        page.WaitForAssertion(() => Assert.Equal("Bob Builder", Users.Get(_bob.Id)!.DisplayName));
        page.WaitForAssertion(() => Assert.Equal(("alice", "Bob → Bob Builder"), (AuditLog.Events("users.rename").Single().ActorName, AuditLog.Events("users.rename").Single().Detail)));
    }

    [Fact]
    public async Task Rename_OtherPersonByNonAdmin_IsRefusedAndAudited()
    {
        var operatorActor = new Actor(_bob.Id, _bob.UserName, Role.Operator, _bob.Scopes, PortalOps.Domain.Common.Channel.Web);
        var admin = Services.GetRequiredService<UserAdministration>();

        var change = await admin.RenameAsync(operatorActor, _admin.Id, "Not Alice");

        Assert.False(change.Succeeded);
        Assert.Equal("Alice", Users.Get(_admin.Id)!.DisplayName);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(AuditLog.Events("users.rename")).Outcome);
    }
}
