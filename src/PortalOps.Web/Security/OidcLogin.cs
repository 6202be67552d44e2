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
            foreach (var scope in oidc.Scopes)
            {
                options.Scope.Add(scope);
            }

            options.ClaimActions.MapUniqueJsonKey("preferred_username", "preferred_username");
            options.ClaimActions.MapUniqueJsonKey(oidc.RoleClaim, oidc.RoleClaim);
            options.ClaimActions.MapJsonKey(oidc.RoleClaim, oidc.RoleClaim);
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
            await audit.AppendAsync(new AuditEvent(name ?? "unknown", null, Channel.Web, "auth.login", "oidc", AuditOutcome.Denied, $"No portal role for claim '{oidc.RoleClaim}' values [{string.Join(", ", values)}]."));
            context.Response.Redirect("/login?error=norole");
            context.HandleResponse();
            return;
        }

        var external = $"{issuer}|{subject}";
        var user = await users.FindByExternalSubjectAsync(external);
        if (user is null)
        {
            var userName = await users.FindByNameAsync(name) is null ? name : $"{name}@sso";
            user = new PortalUser(Guid.NewGuid(), userName, PortalUser.FitDisplayName(principal.FindFirst("name")?.Value ?? name), role.Value, oidc.DefaultScopes.Select(Scope.Parse), clock.GetUtcNow());
            user.LinkExternal(external);
            user.RecordLogin(clock.GetUtcNow());
            await users.AddAsync(user);
        }
        else
        {
            if (user.IsDisabled)
            {
                await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Web, "auth.login", "oidc", AuditOutcome.Denied, "Account disabled."));
                context.Response.Redirect("/login?error=disabled");
                context.HandleResponse();
                return;
            }

            if (user.Role != role.Value)
            {
                user.ChangeRole(role.Value, user.Scopes);
            }

            user.RecordLogin(clock.GetUtcNow());
            await users.UpdateAsync(user);
        }

        await audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Web, "auth.login", "oidc", AuditOutcome.Succeeded, $"Single sign-on as {user.Role}."));
        context.Principal = PortalClaims.Create(user, "oidc", clock.GetUtcNow());
    }
}
