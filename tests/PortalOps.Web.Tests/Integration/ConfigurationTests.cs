namespace PortalOps.Web.Tests.Integration;

/// <summary>Invalid configuration stops the start with a message that names the key to fix.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Jobs:Role", "bogus", "Jobs:Role")]
    [InlineData("Sandbox:PendingSeconds", "-3", "Sandbox:PendingSeconds")]
    [InlineData("Sandbox:PendingSeconds", "soon", "Sandbox:PendingSeconds")]
    [InlineData("Auth:IdleTimeoutMinutes", "0", "Auth:IdleTimeoutMinutes")]
    [InlineData("Approvals:LifetimeHours", "0", "Approvals:LifetimeHours")]
    [InlineData("Oidc:Authority", "not a url", "Oidc:Authority")]
    [InlineData("Provisioning:RequiredTags:0", "aws:owner", "Provisioning:RequiredTags:0 is not a tag key")]
    [InlineData("Sandbox:MaxInstancesPerRegion", "0", "Sandbox:MaxInstancesPerRegion")]
    public void Start_InvalidSetting_FailsNamingTheKey(string key, string value, string named)
    {
        using var factory = new PortalFactory().With(key, value);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.True(Flatten(error).Contains(named, StringComparison.Ordinal), Flatten(error) + "\n" + error);
    }

    [Fact]
    public void Start_OidcWithoutRoleMapping_FailsNamingTheKey()
    {
        using var factory = new PortalFactory().With("Oidc:Authority", "https://login.example.test").With("Oidc:ClientId", "portal");

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Oidc:RoleMapping", Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }

        return string.Join(" | ", messages);
    }
}
