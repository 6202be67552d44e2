using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>OpenID Connect code flow (PKCE) that ends in PortalOps' own session: the identity provider's role claim maps to a portal role.</summary>
public static class OidcLogin
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    public static AuthenticationBuilder AddPortalOidc(this AuthenticationBuilder builder, OidcOptions oidc)
    {
        if (!oidc.Enabled)
        {
            return builder;
        }

        return builder.AddOpenIdConnect(Scheme, oidc.DisplayName, options =>
        {
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.ResponseType = OpenIdConnectResponseType.Code;

            // The provider redirects back with a top-level GET, so the correlation and nonce cookies can stay SameSite=Lax
            // and work on plain-http loopback set-ups as well as behind TLS.
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.UsePkce = true;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.SaveTokens = false;
            options.CallbackPath = "/signin-oidc";
            options.SignedOutCallbackPath = "/signout-callback-oidc";
            options.Scope.Clear();
            foreach (var scope in oidc.RequestedScopes)
            {
                options.Scope.Add(scope);
            }

            options.ClaimActions.MapUniqueJsonKey("preferred_username", "preferred_username");
            options.ClaimActions.MapUniqueJsonKey(oidc.RoleClaim, oidc.RoleClaim);
            options.ClaimActions.MapJsonKey(oidc.RoleClaim, oidc.RoleClaim);
            options.Events.OnTokenValidated = context =>
            {
                // Only the id token is kept (in the encrypted cookie): logout sends it as id_token_hint to end the provider's session.
                if ((context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken) is { } idToken)
                {
                    context.Properties?.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
                }

                return Task.CompletedTask;
            };
            options.Events.OnTicketReceived = context => OnTicketReceivedAsync(context);
            options.Events.OnRemoteFailure = async context =>
            {
                var audit = context.HttpContext.RequestServices.GetRequiredService<IAuditLog>();
                await audit.AppendAsync(new AuditEvent("unknown", null, Channel.Web, "auth.login", "oidc", AuditOutcome.Denied, $"Single sign-on failed: {context.Failure?.Message}"));
                context.Response.Redirect("/login?error=sso");
                context.HandleResponse();
            };
        });
    }

    private static async Task OnTicketReceivedAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var oidc = services.GetRequiredService<IOptions<OidcOptions>>().Value;
        var users = services.GetRequiredService<IUserStore>();
        var audit = services.GetRequiredService<IAuditLog>();
        var clock = services.GetRequiredService<TimeProvider>();
        var principal = context.Principal!;

        var subject = principal.FindFirst("sub")?.Value;
        var issuer = principal.FindFirst("iss")?.Value ?? principal.FindFirst("sub")?.Issuer ?? oidc.Authority;
        var name = principal.FindFirst("preferred_username")?.Value ?? principal.FindFirst("email")?.Value ?? subject;
        var values = principal.FindAll(oidc.RoleClaim).SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var role = values.Select(v => oidc.RoleMapping.TryGetValue(v, out var r) ? r : (Role?)null).Max();

        if (subject is null || name is null || role is null)
        {
            await audit.AppendAsync(new AuditEvent(name ?? "unknown", null, Channel.Web, "auth.login", "oidc", AuditOutcome.Denied, $"No portal role for claim '{oidc.RoleClaim}' values [{string.Join(", ", values)}]; requested scopes: {string.Join(' ', oidc.RequestedScopes)}."));
            context.Response.Redirect("/login?error=norole");
            context.HandleResponse();
            return;
        }

        var external = $"{issuer}|{subject}";
        var user = await users.FindByExternalSubjectAsync(external) ?? await AddFirstLoginAsync(users, oidc, principal, external, name, role.Value, clock);
        if (user.IsDisabled)
        {
            await RefuseAsync(context, audit, user, "Account disabled.", "disabled");
            return;
        }

        if (user.Role != role.Value)
        {
            // The role follows the provider; the store refuses atomically when an Admin changed the user meanwhile
            // or when this would leave no enabled Admin.
            user.ChangeRole(role.Value, user.Scopes);
            try
            {
                await users.UpdateAsync(user);
            }
            catch (Exception ex) when (ex is LastAdminException or ConcurrencyConflictException)
            {
                await RefuseAsync(context, audit, user, $"Role from the provider not applied: {ex.Message}", "sso");
                return;
            }
        }

        await users.RecordLoginAsync(user.Id, clock.GetUtcNow());
        await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Web, "auth.login", "oidc", AuditOutcome.Succeeded,
            user.Scopes.Count == 0 ? $"Single sign-on as {user.Role}, with no scopes yet: an Admin grants them on the Users page." : $"Single sign-on as {user.Role}."));
        context.Principal = PortalClaims.Create(user, "oidc", clock.GetUtcNow());
    }

    /// <summary>
    /// The account of a person's first single sign-on, with <c>Oidc:DefaultScopes</c> (none by default). When two first
    /// logins race, the second finds the first one's account instead of making another.
    /// </summary>
    private static async Task<PortalUser> AddFirstLoginAsync(
        IUserStore users, OidcOptions oidc, System.Security.Claims.ClaimsPrincipal principal, string external, string name, Role role, TimeProvider clock)
    {
        var userName = await users.FindByNameAsync(name) is null ? name : $"{name}@sso";
        var user = new PortalUser(Guid.NewGuid(), userName, PortalUser.FitDisplayName(principal.FindFirst("name")?.Value ?? name), role, oidc.DefaultScopes.Select(Scope.Parse), clock.GetUtcNow());
        user.LinkExternal(external);
        try
        {
            await users.AddAsync(user);
            return user;
        }
        catch (DomainException)
        {
            var existing = await users.FindByExternalSubjectAsync(external);
            if (existing is null)
            {
                throw;
            }

            return existing;
        }
    }

    private static async Task RefuseAsync(TicketReceivedContext context, IAuditLog audit, PortalUser user, string detail, string error)
    {
        await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Web, "auth.login", "oidc", AuditOutcome.Denied, detail));
        context.Response.Redirect($"/login?error={error}");
        context.HandleResponse();
    }
}
