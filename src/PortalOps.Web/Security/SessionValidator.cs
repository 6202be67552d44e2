using System.Security.Claims;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>
/// Decides whether a session may go on: not past its absolute lifetime, the user still exists and is enabled,
/// nothing about the user's rights changed since login (security stamp), and the server-side session record is still open
/// (logging out closes it, so a copy of the cookie taken before is refused afterwards).
/// </summary>
public sealed class SessionValidator(IUserStore users, ISessionStore sessions, IOptions<AuthOptions> options, TimeProvider clock)
{
    public async Task<bool> IsValidAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (PortalClaims.UserId(principal) is not { } id || PortalClaims.AuthenticatedAt(principal) is not { } at)
        {
            return false;
        }

        if (clock.GetUtcNow() - at > TimeSpan.FromHours(options.Value.AbsoluteTimeoutHours))
        {
            return false;
        }

        if (PortalClaims.SessionIdOf(principal) is not { } sessionId || !await sessions.IsActiveAsync(sessionId, cancellationToken))
        {
            return false;
        }

        var user = await users.FindAsync(id, cancellationToken);
        return user is { IsDisabled: false } && user.SecurityStamp == PortalClaims.StampOf(principal);
    }
}
