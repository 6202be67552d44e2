using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;

namespace PortalOps.Web.Security;

/// <summary>Writes an audit record whenever a logged-in person is refused a page or endpoint, then answers as usual.</summary>
public sealed class AuditingAuthorizationResultHandler(IAuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var needed = string.Join(", ", policy.Requirements.OfType<MinimumRoleRequirement>().Select(r => r.Role));
            await audit.AppendAsync(
                new AuditEvent(
                    context.User.Identity.Name ?? "unknown",
                    PortalClaims.UserId(context.User),
                    Channel.Web,
                    "authorization.denied",
                    $"{context.Request.Method} {context.Request.Path}",
                    AuditOutcome.Denied,
                    $"Needs {(needed.Length == 0 ? "a different policy" : needed)}; has {context.User.FindFirstValue(ClaimTypes.Role) ?? "no role"}."),
                context.RequestAborted);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
