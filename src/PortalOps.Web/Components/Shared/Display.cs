using System.Globalization;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Components.Shared;

/// <summary>How times and lists read on every page: UTC, to the second, one format everywhere.</summary>
public static class Display
{
    public const string Dash = "—";

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Utc(DateTimeOffset? at) => at is { } value ? Utc(value) : Dash;

    /// <summary>How a person logs in: "local" (password), "SSO" (OpenID Connect) or both.</summary>
    public static string LoginMethod(PortalUser user) => (user.PasswordHash is not null, user.ExternalSubject is not null) switch
    {
        (true, true) => "local + SSO",
        (false, true) => "SSO",
        _ => "local",
    };

    /// <summary>An account as people call it ("Sandbox", "Production"): its display name, or its id where none is configured.</summary>
    public static string AccountName(ICloudProvider cloud, string accountId) =>
        cloud.Accounts.FirstOrDefault(a => a.Id == accountId)?.DisplayName is { Length: > 0 } name ? name : accountId;
}
