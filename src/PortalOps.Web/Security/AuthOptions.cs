using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>Sessions and local accounts ("Auth" section).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>A session ends after this many minutes without a request.</summary>
    [Range(1, 1440)]
    public int IdleTimeoutMinutes { get; set; } = 30;

    /// <summary>A session ends this many hours after login, whatever happens.</summary>
    [Range(1, 168)]
    public int AbsoluteTimeoutHours { get; set; } = 12;

    /// <summary>Whether local accounts (user name and password) may log in. Turn off once OpenID Connect works.</summary>
    public bool LocalLogin { get; set; } = true;

    /// <summary>How long the first-start setup link stays valid.</summary>
    [Range(1, 10080)]
    public int SetupLinkMinutes { get; set; } = 60;

    /// <summary>Local passwords need at least this many characters.</summary>
    [Range(8, 128)]
    public int MinimumPasswordLength { get; set; } = 12;
}

/// <summary>OpenID Connect single sign-on ("Oidc" section); on when <see cref="Authority"/> is set.</summary>
public sealed class OidcOptions
{
    public const string Section = "Oidc";

    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Set through the environment (<c>Oidc__ClientSecret</c>) or user secrets, never in appsettings.json.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The claim that carries the person's groups or roles.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Claim value → portal role, e.g. { "ops-admins": "Admin", "ops": "Operator" }. A person none of whose values map is refused.</summary>
    public Dictionary<string, Role> RoleMapping { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Scopes given to a person who logs in with OpenID Connect for the first time. Empty by default: a new person sees
    /// nothing until an Admin grants scopes on the Users page.
    /// </summary>
    public List<string> DefaultScopes { get; set; } = [];

    /// <summary>The OpenID Connect scopes requested; empty means <see cref="StandardScopes"/>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>What is requested when <c>Oidc:Scopes</c> is not set: the usual profile scopes and <c>roles</c>, the scope that carries the role claim at most providers.</summary>
    public static IReadOnlyList<string> StandardScopes { get; } = ["openid", "profile", "email", "roles"];

    /// <summary>The scopes sent to the provider.</summary>
    public IReadOnlyList<string> RequestedScopes => Scopes.Count > 0 ? Scopes : StandardScopes;

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The label of the login button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

public sealed class OidcOptionsValidator : IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            errors.Add($"Oidc:Authority '{options.Authority}' is not an absolute http(s) URL.");
        }
        else if (authority.Scheme == "http" && options.RequireHttpsMetadata)
        {
            errors.Add("Oidc:Authority uses http; use https, or set Oidc:RequireHttpsMetadata to false for a local test provider.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add("Oidc:ClientId is required when Oidc:Authority is set.");
        }

        if (string.IsNullOrWhiteSpace(options.RoleClaim))
        {
            errors.Add("Oidc:RoleClaim must name the claim that carries roles or groups.");
        }

        if (options.RoleMapping.Count == 0)
        {
            errors.Add("Oidc:RoleMapping is empty; map at least one claim value to a role (Viewer, Operator, Approver, Admin).");
        }

        if (options.Scopes.Count > 0 && !options.Scopes.Contains("openid"))
        {
            errors.Add($"Oidc:Scopes must include openid (the default is {string.Join(' ', OidcOptions.StandardScopes)}).");
        }

        for (var i = 0; i < options.DefaultScopes.Count; i++)
        {
            if (!Scope.TryParse(options.DefaultScopes[i], out _, out var error))
            {
                errors.Add($"Oidc:DefaultScopes:{i}: {error}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
