using Microsoft.AspNetCore.Authorization;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>Named authorization policies, one per role; each admits that role and every role above it.</summary>
public static class Policies
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Approver = "Approver";
    public const string Admin = "Admin";

    public static void Add(AuthorizationOptions options)
    {
        foreach (var role in Enum.GetValues<Role>())
        {
            options.AddPolicy(role.ToString(), p => p.RequireAuthenticatedUser().AddRequirements(new MinimumRoleRequirement(role)));
        }

        // Every page and endpoint needs a logged-in user unless it says [AllowAnonymous].
        options.FallbackPolicy = options.GetPolicy(Viewer);
    }
}

public sealed record MinimumRoleRequirement(Role Role) : IAuthorizationRequirement;

public sealed class MinimumRoleHandler : AuthorizationHandler<MinimumRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MinimumRoleRequirement requirement)
    {
        if (PortalClaims.RoleOf(context.User) is { } role && role >= requirement.Role)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
