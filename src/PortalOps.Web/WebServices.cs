using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Configuration;
using PortalOps.Web.Components;
using PortalOps.Web.Configuration;
using PortalOps.Web.Endpoints;
using PortalOps.Web.Security;

namespace PortalOps.Web;

/// <summary>The web host's registrations and request pipeline.</summary>
public static class WebServices
{
    public static IServiceCollection AddWebServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<AuthOptions>(AuthOptions.Section);
        services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>, OidcOptionsValidator>();
        services.AddSingleton<IValidateOptions<Jobs.Scheduling.JobsOptions>, NodeRoleValidator>();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddHealthChecks();
        services.AddPortalHealthChecks();

        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var oidc = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "PortalOps.Session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromMinutes(auth.IdleTimeoutMinutes);
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/access-denied";
                options.Events.OnSigningIn = PortalSessions.OnSigningInAsync;
                options.Events.OnValidatePrincipal = async context =>
                {
                    var validator = context.HttpContext.RequestServices.GetRequiredService<SessionValidator>();
                    if (context.Principal is null || !await validator.IsValidAsync(context.Principal, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            .AddPortalOidc(oidc);

        services.AddAuthorization(Policies.Add);
        services.AddSingleton<IAuthorizationHandler, MinimumRoleHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthStateProvider>();

        services.AddSingleton<IPasswordHasher<PortalUser>, PasswordHasher<PortalUser>>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<SessionValidator>();
        services.AddScoped<LocalAccounts>();
        services.AddScoped<CurrentActor>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<TwoFactor>();
        if (!WorkerNode.IsWorker(configuration))
        {
            // A worker serves no pages, so it has no setup page to link to.
            services.AddHostedService<SetupLink>();
        }

        // Behind a proxy: forwarded headers from known proxies, HSTS, secure cookies, content security policy.
        services.AddSecurityHeaders();
        return services;
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        if (WorkerNode.IsWorker(app.Configuration))
        {
            return app.UseWorkerEndpoints();
        }

        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        // Stylesheets, scripts and the icon are public: the login and setup pages need them before anyone has a session.
        app.MapStaticAssets().AllowAnonymous();
        // The one content security policy (frame-ancestors 'none' included) comes from UseSecurityHeaders.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        app.MapPortalEndpoints();
        app.MapTelegramWebhook();
        app.MapPortalTelemetry();

        // The Hangfire dashboard, for Admins only, through the same policy as the Users page.
        app.MapHangfireDashboardWithAuthorizationPolicy(
            Policies.Admin,
            "/jobs",
            new DashboardOptions { Authorization = [], AppPath = "/", DashboardTitle = "PortalOps jobs", DisplayStorageConnectionString = false },
            app.Services.GetRequiredService<JobStorage>());
        return app;
    }
}
