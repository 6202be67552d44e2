using Microsoft.AspNetCore.Components.Authorization;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>The person using this page, read fresh from the store so that role and scope changes apply at once.</summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication, IUserStore users)
{
    public async Task<PortalUser?> UserAsync(CancellationToken cancellationToken = default)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return PortalClaims.UserId(state.User) is { } id ? await users.FindAsync(id, cancellationToken) : null;
    }

    public async Task<Actor> ActorAsync(CancellationToken cancellationToken = default)
    {
        var user = await UserAsync(cancellationToken);
        return user is { IsDisabled: false }
            ? user.AsActor(Channel.Web)
            : throw new DomainException("Your session has ended; log in again.");
    }
}
