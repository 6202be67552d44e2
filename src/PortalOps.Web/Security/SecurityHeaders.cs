using System.Security.Cryptography;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using PortalOps.Web.Configuration;

namespace PortalOps.Web.Security;

/// <summary>
/// What the portal tells browsers about itself: a content security policy its pages satisfy (scripts only from the portal,
/// no framing at all, so an Approve button cannot be clicked through someone else's page), HSTS and secure cookies when
/// served over HTTPS (directly or through a known proxy), and forwarded headers believed only from known proxies.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "PortalOps.CspNonce";

    /// <summary>Registers the <c>Proxy</c> options and makes every cookie the portal sets secure when the request is HTTPS.</summary>
    public static IServiceCollection AddSecurityHeaders(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.Configure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return services;
    }

    /// <summary>First in the pipeline: forwarded headers from known proxies, then the headers on every answer.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value;
        if (proxy.TrustsAnyProxy)
        {
            app.UseForwardedHeaders(proxy.ToForwardedHeaders());
        }

        var hsts = proxy.HstsMaxAgeDays > 0 && !app.Environment.IsDevelopment()
            ? $"max-age={TimeSpan.FromDays(proxy.HstsMaxAgeDays).TotalSeconds:0}"
            : null;
        var formTargets = FormTargets(app.Configuration);
        app.Use((context, next) =>
        {
            var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;

            // Written as the answer starts, so that an error page (whose handler clears the headers) carries them too.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Policy(nonce, formTargets);
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (hsts is not null && context.Request.IsHttps)
                {
                    headers.StrictTransportSecurity = hsts;
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    /// <summary>The nonce that lets this answer's own inline script (the import map) run; null outside a request.</summary>
    public static string? Nonce(HttpContext? context) => context?.Items[NonceKey] as string;

    /// <summary>
    /// Scripts, frames and plugins from the portal only. Styles allow inline attributes (MudBlazor sets <c>style=</c> on
    /// its components); the circuit's WebSocket is same-origin (<c>'self'</c> covers ws/wss of this host).
    /// </summary>
    internal static string Policy(string nonce, string formTargets) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        $"form-action 'self'{formTargets}; " +
        "frame-ancestors 'none'";

    /// <summary>Single sign-on redirects a submitted form (login, logout) to the provider: its origin may receive forms.</summary>
    private static string FormTargets(IConfiguration configuration) =>
        configuration[$"{OidcOptions.Section}:{nameof(OidcOptions.Authority)}"] is { Length: > 0 } authority
        && Uri.TryCreate(authority, UriKind.Absolute, out var uri)
            ? " " + uri.GetLeftPart(UriPartial.Authority)
            : "";
}
