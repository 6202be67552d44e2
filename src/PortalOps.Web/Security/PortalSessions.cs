using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>
/// Opens a server-side session record at every sign-in (its random id travels in the cookie) and closes it at logout,
/// with single sign-on also ending the provider's session (RP-initiated logout). Logouts are audited.
/// </summary>
public static class PortalSessions
{
    /// <summary>Cookie event: gives the new session an id and records it, whichever way the person logged in.</summary>
    public static async Task OnSigningInAsync(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity || PortalClaims.UserId(context.Principal) is not { } userId)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        var clock = services.GetRequiredService<TimeProvider>();
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var now = clock.GetUtcNow();
        var sessionId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        foreach (var old in identity.FindAll(PortalClaims.SessionId).ToList())
        {
            identity.RemoveClaim(old);
        }

        identity.AddClaim(new Claim(PortalClaims.SessionId, sessionId));
        var method = PortalClaims.MethodOf(context.Principal) ?? "local";
        await services.GetRequiredService<ISessionStore>().StartAsync(
            new PortalSession(sessionId, userId, method, now), now - TimeSpan.FromHours(auth.AbsoluteTimeoutHours), context.HttpContext.RequestAborted);
    }

    /// <summary>Ends the session on the server, signs out, and sends a single sign-on user on to the provider's logout.</summary>
    public static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery, IOptions<OidcOptions> oidc, ISessionStore sessions, IAuditLog audit, TimeProvider clock)
    {
        var user = context.User;

        // Only the portal's own form ends a session: another site cannot log a person out (and so interrupt an approval) behind their back.
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            await audit.AppendAsync(
                new AuditEvent(user.Identity?.Name ?? "unknown", PortalClaims.UserId(user), Channel.Web, "auth.logout", $"user:{user.Identity?.Name ?? "unknown"}", AuditOutcome.Denied,
                    "Logout without the portal's antiforgery token refused."),
                CancellationToken.None);
            return Results.BadRequest();
        }

        var viaProvider = oidc.Value.Enabled && PortalClaims.MethodOf(user) == "oidc";
        var done = new AuthenticationProperties { RedirectUri = "/login?signedout=1" };

        // The provider's sign-out reads the id token from the still-valid session, so it goes first.
        if (viaProvider)
        {
            await context.SignOutAsync(OidcLogin.Scheme, done);
        }

        var ended = PortalClaims.SessionIdOf(user) is { } sessionId && await sessions.EndAsync(sessionId, clock.GetUtcNow(), CancellationToken.None);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var name = user.Identity?.Name ?? "unknown";
        await audit.AppendAsync(
            new AuditEvent(name, PortalClaims.UserId(user), Channel.Web, "auth.logout", $"user:{name}", AuditOutcome.Succeeded,
                (ended ? "Session ended on the server." : "No open session on the server.") + (viaProvider ? " Sent to the identity provider to end its session." : string.Empty)),
            CancellationToken.None);
        return viaProvider ? Results.Empty : Results.Redirect(done.RedirectUri);
    }
}
