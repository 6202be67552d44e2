using PortalOps.Domain.Security;

namespace PortalOps.Domain.Actions;

/// <summary>Deny by default: an actor may act only with a high enough role and a scope that covers every target.</summary>
public static class Authorizer
{
    /// <summary>
    /// May <paramref name="actor"/> take this action on these targets? A tag edit (with its <paramref name="parameters"/>) is
    /// judged on each instance's tags before and after the edit, so nobody moves an instance into or out of a scope they lack.
    /// </summary>
    public static AuthorizationDecision Authorize(Actor actor, ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string>? parameters = null)
    {
        if (!actor.IsAtLeast(kind.MinimumRole))
        {
            return AuthorizationDecision.Deny($"{actor.Name} is {actor.Role}; {kind.Verb} needs {kind.MinimumRole} or higher.");
        }

        if (targets.Count == 0)
        {
            return AuthorizationDecision.Deny("No targets were given.");
        }

        var outside = targets.Where(t => !actor.CanSee(t.Ref.AccountId, t.Ref.Region, t.Tags)).ToList();
        if (outside.Count > 0 && kind.Target == ActionTarget.NewInstances)
        {
            var where = outside[0].Ref;
            var tags = string.Join(", ", outside[0].Tags.Select(t => $"{t.Key}={t.Value}"));
            return AuthorizationDecision.Deny($"{actor.Name} may not launch in {where.AccountId}/{where.Region}{(tags.Length == 0 ? string.Empty : $" with tags {tags}")}: no scope of theirs covers it.");
        }

        if (outside.Count > 0)
        {
            var names = string.Join(", ", outside.Take(5).Select(t => t.Ref.InstanceId));
            return AuthorizationDecision.Deny($"{outside.Count} target(s) are outside {actor.Name}'s scope: {names}.");
        }

        if (kind == ActionKind.EditTags && parameters is not null)
        {
            var after = targets.Where(t => !actor.CanSee(t.Ref.AccountId, t.Ref.Region, InstanceSettingsExecutor.ApplyTagChanges(t.Tags, parameters))).ToList();
            if (after.Count > 0)
            {
                var names = string.Join(", ", after.Take(5).Select(t => t.Ref.InstanceId));
                return AuthorizationDecision.Deny($"After this tag edit {after.Count} instance(s) would be outside {actor.Name}'s scope: {names}.");
            }
        }

        return AuthorizationDecision.Allow;
    }

    /// <summary>May this actor decide on a request for these targets?</summary>
    public static AuthorizationDecision AuthorizeDecision(Actor actor, Approvals.ApprovalRequest request)
    {
        if (!actor.IsAtLeast(Role.Approver))
        {
            return AuthorizationDecision.Deny($"{actor.Name} is {actor.Role}; deciding needs Approver or higher.");
        }

        if (actor.UserId == request.RequestedBy)
        {
            return AuthorizationDecision.Deny("Nobody approves their own request.");
        }

        var outside = request.Targets.Where(t => !actor.CanSee(t.Ref.AccountId, t.Ref.Region, t.Tags)).ToList();
        return outside.Count > 0
            ? AuthorizationDecision.Deny($"{outside.Count} target(s) are outside {actor.Name}'s scope.")
            : AuthorizationDecision.Allow;
    }
}

public sealed record AuthorizationDecision(bool Allowed, string? Reason)
{
    public static AuthorizationDecision Allow { get; } = new(true, null);

    public static AuthorizationDecision Deny(string reason) => new(false, reason);
}
