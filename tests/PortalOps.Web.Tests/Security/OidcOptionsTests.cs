using Microsoft.Extensions.Configuration;
using PortalOps.Web.Security;

namespace PortalOps.Web.Tests.Security;

public sealed class OidcOptionsTests
{
    [Fact]
    public void RequestedScopes_NotConfigured_IncludeTheRolesScope()
    {
        var options = Bind(new Dictionary<string, string?>());

        Assert.Equal(["openid", "profile", "email", "roles"], options.RequestedScopes);
    }

    [Fact]
    public void RequestedScopes_Configured_ReplaceTheDefaultsExactly()
    {
        var options = Bind(new Dictionary<string, string?> { ["Oidc:Scopes:0"] = "openid", ["Oidc:Scopes:1"] = "groups" });

        Assert.Equal(["openid", "groups"], options.RequestedScopes);
    }

    [Fact]
    public void DefaultScopes_NotConfigured_Empty()
    {
        Assert.Empty(Bind(new Dictionary<string, string?>()).DefaultScopes);
    }

    [Fact]
    public void Validate_ScopesWithoutOpenid_FailsNamingTheKey()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Oidc:Authority"] = "https://login.example.com",
            ["Oidc:ClientId"] = "portalops",
            ["Oidc:RoleMapping:ops"] = "Operator",
            ["Oidc:Scopes:0"] = "profile",
        });

        var result = new OidcOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.StartsWith("Oidc:Scopes must include openid", result.FailureMessage, StringComparison.Ordinal);
    }

    private static OidcOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
}
