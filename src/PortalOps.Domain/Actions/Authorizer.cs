using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Actions;

/// <summary>
/// The one place that decides "may this person see, or act on, this resource". Deny by default.
/// Acting needs a high enough role and a scope that covers every target. Seeing needs a scope that covers everything the record
/// touches (its <see cref="Footprint"/>); lists are filtered with <see cref="ReadScopeOf(Actor)"/> where the store pages them.
/// Pages, exports, the bot, jobs and use cases ask here; none of them decides on its own.
/// </summary>
public static class Authorizer
{
    /// <summary>May this person see a resource at this account, region and tags?</summary>
    public static bool MaySee(Actor actor, string account, string region, IReadOnlyDictionary<string, string> tags) =>
        actor.Scopes.Any(s => s.Covers(account, region, tags));

    /// <summary>Could anything in this account and region be visible to this person (so it is worth reading at all)?</summary>
    public static bool MaySeeAnythingIn(Actor actor, string account, string region) =>
        actor.Scopes.Any(s => (s.Account == Scope.Any || s.Account == account) && (s.Region == Scope.Any || s.Region == region));

    public static bool MaySee(Actor actor, Instance instance) => MaySee(actor, instance.AccountId, instance.Region, instance.Tags);

    /// <summary>May this person see a record that touches this footprint (null: it touches no resource — never)?</summary>
    public static bool MaySee(Actor actor, Footprint? footprint) => ReadScopeOf(actor).Covers(footprint);

    /// <summary>The filter for lists of resources and of records about them (alerts, health, leftovers): the person's scopes.</summary>
    public static ReadScope ReadScopeOf(Actor actor) => new(actor.Scopes);

    /// <summary>
    /// The filter for the audit log: Admins read all of it (system records, logins, user changes included); everyone else reads
    /// their own records and those whose targets all lie in one of their scopes.
    /// </summary>
    public static ReadScope AuditReadScopeOf(Actor actor) => new(actor.Scopes, actor.UserId, actor.IsAtLeast(Role.Admin));

    public static bool MaySee(Actor actor, AuditRecord record) => AuditReadScopeOf(actor).Allows(record.Event.Where, record.Event.ActorId);

    /// <summary>
    /// The filter for approval requests: the requester's own, and those whose targets all lie in one of the person's scopes
    /// (the rule for deciding, <see cref="AuthorizeDecision"/>, asks the same of scopes).
    /// </summary>
    public static ReadScope ApprovalReadScopeOf(Actor actor) => new(actor.Scopes, actor.UserId);

    public static bool MaySee(Actor actor, ApprovalRequest request) =>
        (request.RequestedBy == actor.UserId && actor.UserId != Guid.Empty) || ReadScopeOf(actor).Covers(FootprintOf(request.Targets));

    /// <summary>An alert is seen by those whose scope covers every instance that ever joined it.</summary>
    public static bool MaySee(Actor actor, Alert alert) => ReadScopeOf(actor).Covers(alert.Footprint);

    /// <summary>Where a set of targets lies (what they all share).</summary>
    public static Footprint? FootprintOf(IEnumerable<ResolvedTarget> targets) =>
        Footprint.Common(targets.Select(t => Footprint.Of(t.Ref.AccountId, t.Ref.Region, t.Tags)));

    /// <summary>Administration (users, approval rules, Telegram groups, the audit chain): Admins only.</summary>
    public static AuthorizationDecision AuthorizeAdministration(Actor actor, string what) =>
        actor.IsAtLeast(Role.Admin)
            ? AuthorizationDecision.Allow
            : AuthorizationDecision.Deny($"{actor.Name} is {actor.Role}; {what} needs Admin.");

    /// <summary>A task that needs a role and no particular resource (saving alert rules needs Approver).</summary>
    public static AuthorizationDecision AuthorizeRole(Actor actor, Role minimum, string what) =>
        actor.IsAtLeast(minimum)
            ? AuthorizationDecision.Allow
            : AuthorizationDecision.Deny($"{actor.Name} is {actor.Role}; {what} needs {minimum} or higher.");

    /// <summary>Acknowledging, snoozing or resolving an alert: an Operator who may see it.</summary>
    public static AuthorizationDecision AuthorizeAlertAnswer(Actor actor, Alert alert) => AuthorizeAlertAnswer(actor, alert.Footprint);

    /// <summary>Answering an alert whose instances lie at <paramref name="footprint"/>.</summary>
    public static AuthorizationDecision AuthorizeAlertAnswer(Actor actor, Footprint? footprint)
    {
        if (!actor.IsAtLeast(Role.Operator))
        {
            return AuthorizationDecision.Deny($"{actor.Name} is {actor.Role}; answering alerts needs Operator or higher.");
        }

        return MaySee(actor, footprint)
            ? AuthorizationDecision.Allow
            : AuthorizationDecision.Deny($"The alert's instances are outside {actor.Name}'s scope.");
    }

    /// <summary>
    /// Setting or removing a maintenance window: an Operator with a scope over everything the window silences
    /// (<paramref name="silences"/>: the window's scope as a footprint; null when it names nothing this person may see).
    /// </summary>
    public static AuthorizationDecision AuthorizeMaintenance(Actor actor, Footprint? silences)
    {
        if (!actor.IsAtLeast(Role.Operator))
        {
            return AuthorizationDecision.Deny($"{actor.Name} is {actor.Role}; maintenance windows need Operator or higher.");
        }

        return MaySee(actor, silences)
            ? AuthorizationDecision.Allow
            : AuthorizationDecision.Deny($"The window would silence instances outside {actor.Name}'s scope.");
    }

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

        if (kind == ActionKind.RestoreInstance && parameters is not null && Backups.RestoreLaunch.Carries(parameters))
        {
            // Where the restored instance goes, and the tags it carries, are judged as a launch's.
            var image = targets[0].Ref;
            var tags = Backups.RestoreLaunch.DestinationTags(image, parameters);
            if (!actor.CanSee(image.AccountId, image.Region, tags))
            {
                var text = string.Join(", ", tags.Select(t => $"{t.Key}={t.Value}"));
                return AuthorizationDecision.Deny($"{actor.Name} may not launch in {image.AccountId}/{image.Region}{(text.Length == 0 ? string.Empty : $" with tags {text}")}: no scope of theirs covers it.");
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
