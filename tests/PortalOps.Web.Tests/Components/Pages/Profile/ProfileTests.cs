using Bunit;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Notifications;
using PortalOps.Web.Security;
using ProfilePage = PortalOps.Web.Components.Pages.Profile.Profile;

namespace PortalOps.Web.Tests.Components.Pages.Profile;

public sealed class ProfileTests : PortalTestContext
{
    [Fact]
    public void Render_Operator_ShowsNameRoleScopesAndTelegramOffWithoutAToken()
    {
        SignIn("olga", Role.Operator, Scope.Parse("000000000000/eu-west-1"), Scope.Parse("111111111111/*/team=web"));

        var page = RenderPage<ProfilePage>();

        Assert.Equal("Olga", page.WaitForElement("[data-testid=profile-name]").TextContent);
        Assert.Equal("Role: Operator", page.Find("[data-testid=profile-role]").TextContent);
        Assert.Equal(["000000000000/eu-west-1", "111111111111/*/team=web"], page.FindAll("[data-testid=profile-scope]").Select(e => e.TextContent));
        var telegram = page.Find("[data-testid=profile-telegram]");
        Assert.Contains("Telegram is off on this portal", telegram.TextContent, StringComparison.Ordinal);
        Assert.Empty(telegram.QuerySelectorAll("button, input, a"));
    }

    [Fact]
    public void TelegramLink_NotLinked_ShowsAOneTimeCodeAndTheDeepLinkAndAudits()
    {
        EnableTelegram("ops_portal_bot");
        SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("[data-testid=telegram-link]").Click();

        var code = LinkCodes.LastCode!;
        page.WaitForAssertion(() => Assert.Equal($"https://t.me/ops_portal_bot?start={code}", page.Find("[data-testid=telegram-deeplink]").GetAttribute("href")));
        Assert.Equal($"/start {code}", page.Find("[data-testid=telegram-start]").TextContent);
        Assert.Contains("works once", page.Find("[data-testid=telegram-expiry]").TextContent, StringComparison.Ordinal);
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(AuditLog.Events("telegram.link.code")).Outcome);
        Assert.DoesNotContain(TelegramOptions.Token!, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void TelegramUnlink_Linked_RemovesTheLinkAndAudits()
    {
        EnableTelegram();
        var user = SignIn("olga", Role.Operator);
        Directory.Put(new ChatLink(user.Id, 4242, "olga_t", Clock.GetUtcNow()));
        var page = RenderPage<ProfilePage>();
        Assert.Contains("Telegram user 4242 (@olga_t)", page.WaitForElement("[data-testid=telegram-linked]").TextContent, StringComparison.Ordinal);

        page.Find("[data-testid=telegram-unlink]").Click();

        page.WaitForElement("[data-testid=telegram-unlinked]");
        Assert.Null(Directory.Get(user.Id));
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(AuditLog.Events("telegram.unlink")).Outcome);
    }

    [Fact]
    public void TelegramPreferences_QuietHoursWithOneEnd_RefusedThenBothEndsSaved()
    {
        EnableTelegram();
        var user = SignIn("olga", Role.Operator);
        Directory.Put(new ChatLink(user.Id, 4242, null, Clock.GetUtcNow()));
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("input[data-testid=pref-quiet-from]").Change("22");
        page.Find("[data-testid=pref-save]").Click();
        Assert.Equal("Give both ends of the quiet hours, or neither.", page.Find("[data-testid=pref-result]").TextContent);
        Assert.Null(Preferences.Saved(user.Id));

        page.Find("input[data-testid=pref-quiet-to]").Change("7");
        page.Find("input[data-testid=pref-alerts]").Change(false);
        page.Find("[data-testid=pref-save]").Click();

        Assert.Equal(new NotificationPreferences(Alerts: false, QuietFromHour: 22, QuietToHour: 7), Preferences.Saved(user.Id));
    }

    [Fact]
    public void Render_UserDirectoryUnavailable_KeepsTotpAndNotificationSettingsAndShowsTheDirectorysError()
    {
        EnableTelegram();
        var user = SignIn("olga", Role.Operator);
        Directory.Unavailable = "The Telegram user directory (DynamoDB table 'portalops-telegram') is unavailable: the table does not exist.";

        var page = RenderPage<ProfilePage>();

        var problem = page.WaitForElement("[data-testid=telegram-directory-problem]").TextContent;
        Assert.Contains(Directory.Unavailable, problem, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=telegram-link], [data-testid=telegram-unlink]"));

        // TOTP still works …
        page.Find("[data-testid=totp-start]").Click();
        Assert.NotEmpty(page.Find("[data-testid=totp-secret]").TextContent);

        // … and so do the notification settings, which the portal keeps itself.
        page.Find("input[data-testid=pref-alerts]").Change(false);
        page.Find("[data-testid=pref-save]").Click();
        Assert.Equal(NotificationPreferences.Default with { Alerts = false }, Preferences.Saved(user.Id));
    }

    [Fact]
    public void TotpEnable_WrongCode_RefusedAndNothingSaved()
    {
        var user = SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();
        page.WaitForElement("[data-testid=totp-start]").Click();
        var secret = page.Find("[data-testid=totp-secret]").TextContent;
        var right = Totp.Code(secret, Clock.GetUtcNow());

        page.Find("input[data-testid=totp-code]").Change(right == "123456" ? "654321" : "123456");
        page.Find("[data-testid=totp-confirm]").Click();

        Assert.Contains(TwoFactor.WrongCode, page.Find("[data-testid=profile-totp]").TextContent, StringComparison.Ordinal);
        Assert.Null(Users.Get(user.Id)!.TotpSecret);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(AuditLog.Events("auth.totp.enable")).Outcome);
        Assert.NotEmpty(page.FindAll("[data-testid=totp-confirm]"));
    }

    [Fact]
    public void TotpEnable_RightCode_SavesTheSecretShownAndAudits()
    {
        var user = SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();
        page.WaitForElement("[data-testid=totp-start]").Click();
        var secret = page.Find("[data-testid=totp-secret]").TextContent;
        Assert.Equal(Totp.ProvisioningUri(TwoFactor.Issuer, "olga", secret), page.Find("[data-testid=totp-uri]").TextContent);

        page.Find("input[data-testid=totp-code]").Change(Totp.Code(secret, Clock.GetUtcNow()));
        page.Find("[data-testid=totp-confirm]").Click();

        Assert.Equal(secret, Users.Get(user.Id)!.TotpSecret);
        var audit = Assert.Single(AuditLog.Events("auth.totp.enable"));
        Assert.Equal(("olga", AuditOutcome.Succeeded), (audit.ActorName, audit.Outcome));
        page.WaitForAssertion(() => Assert.StartsWith("On:", page.Find("[data-testid=totp-status]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=totp-secret]"));
    }

    [Fact]
    public void TotpDisable_CurrentCode_RemovesTheSecret()
    {
        var user = AddUser("olga", Role.Operator);
        user.EnableTotp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        Users.Put(user);
        SignIn(user);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("input[data-testid=totp-off-code]").Change(Totp.Code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Clock.GetUtcNow()));
        page.Find("[data-testid=totp-disable]").Click();

        Assert.Null(Users.Get(user.Id)!.TotpSecret);
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(AuditLog.Events("auth.totp.disable")).Outcome);
        page.WaitForAssertion(() => Assert.StartsWith("Off:", page.Find("[data-testid=totp-status]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void ChangePassword_WrongCurrentPassword_RefusedAndHashUnchanged()
    {
        var user = SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("input[data-testid=password-current]").Change("not my password");
        page.Find("input[data-testid=password-new]").Change("a brand new passphrase");
        page.Find("input[data-testid=password-confirm]").Change("a brand new passphrase");
        page.Find("[data-testid=password-save]").Click();

        Assert.Equal("The current password is not right.", page.Find("[data-testid=password-result]").TextContent);
        Assert.Equal(user.PasswordHash, Users.Get(user.Id)!.PasswordHash);
    }

    [Fact]
    public void ChangePassword_RightCurrentPassword_StoresTheNewOne()
    {
        var user = SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("input[data-testid=password-current]").Change(Password);
        page.Find("input[data-testid=password-new]").Change("a brand new passphrase");
        page.Find("input[data-testid=password-confirm]").Change("a brand new passphrase");
        page.Find("[data-testid=password-save]").Click();

        var stored = Users.Get(user.Id)!;
        Assert.Equal(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Success, Hasher.VerifyHashedPassword(stored, stored.PasswordHash!, "a brand new passphrase"));
        Assert.StartsWith("Password changed.", page.Find("[data-testid=password-result]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SingleSignOnUser_OffersNoPasswordOrAuthenticatorControls()
    {
        var user = new PortalUser(Guid.NewGuid(), "sam", "Sam", Role.Viewer, [Scope.Everything], Clock.GetUtcNow());
        user.LinkExternal("https://idp|sam");
        Users.Put(user);
        SignIn(user);

        var page = RenderPage<ProfilePage>();

        page.WaitForElement("[data-testid=password-sso]");
        Assert.Empty(page.FindAll("[data-testid^=password-current], [data-testid^=totp-]"));
    }

    [Fact]
    public void TotpStart_ShowsAQrCodeOfTheEnrolmentAddress()
    {
        SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("[data-testid=totp-start]").Click();

        var uri = page.Find("[data-testid=totp-uri]").TextContent;
        var qr = page.Find("[data-testid=totp-qr]");
        var modules = qr.QuerySelector("svg path")?.GetAttribute("d");
        Assert.False(string.IsNullOrEmpty(modules));
        Assert.Contains($"d=\"{modules}\"", Web.Components.Pages.Profile.TotpQrCode.Svg(uri).Value, StringComparison.Ordinal);
        Assert.DoesNotContain($"d=\"{modules}\"", Web.Components.Pages.Profile.TotpQrCode.Svg(uri.Replace("olga", "vera", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void DisplayName_Edited_IsSavedShownAndAudited()
    {
        var user = SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("input[data-testid=profile-displayname]").Input("Olga Petrova");
        page.Find("[data-testid=profile-displayname-save]").Click();

        page.WaitForAssertion(() => Assert.Equal("Olga Petrova", page.Find("[data-testid=profile-name]").TextContent));
        Assert.Equal("Olga Petrova", Users.Get(user.Id)!.DisplayName);
        Assert.Equal("Olga → Olga Petrova", Assert.Single(AuditLog.Events("users.rename")).Detail);
    }

    [Fact]
    public void DisplayName_LongerThanTheLimit_SaysSoAtTheFieldAndSaveIsOff()
    {
        var user = SignIn("olga", Role.Operator);
        var page = RenderPage<ProfilePage>();

        page.WaitForElement("input[data-testid=profile-displayname]").Input(new string('o', PortalUser.MaxDisplayNameLength + 1));

        page.WaitForAssertion(() => Assert.Contains("at most 64 characters", page.Find("input[data-testid=profile-displayname]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));
        Assert.True(page.Find("[data-testid=profile-displayname-save]").HasAttribute("disabled"));
        Assert.Equal("Olga", Users.Get(user.Id)!.DisplayName);
    }
}
