using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>The claims PortalOps puts in its own session cookie, whichever way the person logged in.</summary>
public static class PortalClaims
{
    public const string Stamp = "portalops:stamp";
    public const string AuthTime = "portalops:auth_time";
    public const string Method = "portalops:method";
    public const string SessionId = "portalops:sid";

    public static ClaimsPrincipal Create(PortalUser user, string method, DateTimeOffset now)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Name, user.UserName),
                new Claim(ClaimTypes.GivenName, user.DisplayName),
                new Claim(ClaimTypes.Role, user.Role.ToString()),
                new Claim(Stamp, user.SecurityStamp.ToString(CultureInfo.InvariantCulture)),
                new Claim(AuthTime, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                new Claim(Method, method),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme,
            ClaimTypes.Name,
            ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }

    public static Guid? UserId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Role? RoleOf(ClaimsPrincipal principal) =>
        Enum.TryParse<Role>(principal.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    public static DateTimeOffset? AuthenticatedAt(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(AuthTime), CultureInfo.InvariantCulture, out var s) ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    public static string? SessionIdOf(ClaimsPrincipal principal) => principal.FindFirstValue(SessionId);

    public static string? MethodOf(ClaimsPrincipal principal) => principal.FindFirstValue(Method);

    public static int? StampOf(ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirstValue(Stamp), CultureInfo.InvariantCulture, out var s) ? s : null;
}
