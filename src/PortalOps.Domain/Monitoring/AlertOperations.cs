using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>A person's answer to an alert: acknowledge, snooze, resolve, or ask for one of its rule's corrective actions.</summary>
public sealed class AlertOperations(IAlertStore alerts, IAlertRuleStore rules, IInventory inventory, IAuditLog audit, ActionPipeline pipeline, TimeProvider clock, IMonitoringEvents? events = null)
{
    public Task<ActionResult> AcknowledgeAsync(Actor actor, Guid alertId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, alertId, "alert.acknowledge", (a, now) => a.Acknowledge(actor, now), "Acknowledged.", cancellationToken);

    public Task<ActionResult> SnoozeAsync(Actor actor, Guid alertId, TimeSpan duration, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, alertId, "alert.snooze", (a, now) => a.Snooze(actor, duration, now), $"Snoozed for {Describe(duration)}.", cancellationToken);

    public Task<ActionResult> ResolveAsync(Actor actor, Guid alertId, string? reason, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, alertId, "alert.resolve", (a, now) => a.Resolve(actor, reason, now), "Resolved.", cancellationToken);

    /// <summary>Asks for a corrective action of the alert's rule on the alert's current instances, as this person, through the pipeline.</summary>
    public async Task<ActionResult> RequestActionAsync(Actor actor, Guid alertId, string actionKind, CancellationToken cancellationToken = default)
    {
        var alert = await alerts.FindAsync(alertId, cancellationToken);
        var rule = alert is null ? null : await rules.FindAsync(alert.RuleId, cancellationToken);
        var action = rule?.Actions.FirstOrDefault(a => a.Kind == actionKind);
        var kind = ActionKind.Find(actionKind);
        if (alert is null || action is null || kind is null)
        {
            return new ActionResult(ActionStatus.NotFound, "This alert or its action no longer exists.");
        }

        if (!alert.IsOpen || alert.Members.Count == 0)
        {
            return new ActionResult(ActionStatus.Conflict, "This alert is resolved; there is nothing to act on.");
        }

        var request = new ActionRequest(kind, alert.Members.Select(m => m.Instance).ToList(), $"Alert {alert.Id}: {alert.RuleName}") { Parameters = action.Parameters };
        var result = await pipeline.SubmitAsync(actor, request, cancellationToken);
        var version = alert.Version;
        alert.RecordAction(
            result.Status switch { ActionStatus.Executed => AlertEventKind.ActionRun, ActionStatus.PendingApproval => AlertEventKind.ActionOffered, _ => AlertEventKind.ActionRefused },
            actor.Name, $"{kind.Verb}: {result.Message}", clock.GetUtcNow(), result.ApprovalId);
        await TrySaveAsync(alert, version, cancellationToken);
        return result;
    }

    /// <summary>Answering an alert needs an Operator who may see it; the Authorizer decides.</summary>
    public async Task<AuthorizationDecision> MayAnswerAsync(Actor actor, Alert alert, CancellationToken cancellationToken = default) =>
        Authorizer.AuthorizeAlertAnswer(actor, await FootprintAsync(alert, cancellationToken));

    /// <summary>Where the alert's instances lie; for members stored before their tags were kept, as the inventory describes them now.</summary>
    private async Task<Footprint?> FootprintAsync(Alert alert, CancellationToken cancellationToken)
    {
        if (alert.Members.All(m => m.Tags is not null))
        {
            return alert.Footprint;
        }

        var parts = new List<Footprint>();
        foreach (var member in alert.Members)
        {
            var instance = member.Tags is null ? await inventory.FindAsync(member.Instance, cancellationToken) : null;
            parts.Add(instance is null ? member.Footprint : Footprint.Of(instance.AccountId, instance.Region, instance.Tags));
        }

        return Footprint.Common(parts);
    }

    private async Task<ActionResult> ChangeAsync(Actor actor, Guid alertId, string action, Action<Alert, DateTimeOffset> change, string done, CancellationToken cancellationToken)
    {
        var target = $"alert:{alertId}";
        var alert = await alerts.FindAsync(alertId, cancellationToken);
        if (alert is null)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, "No such alert."), cancellationToken);
            return new ActionResult(ActionStatus.NotFound, "That alert does not exist.");
        }

        var allowed = await MayAnswerAsync(actor, alert, cancellationToken);
        if (!allowed.Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, allowed.Reason) { Where = alert.Footprint }, cancellationToken);
            return new ActionResult(ActionStatus.Refused, allowed.Reason!);
        }

        var version = alert.Version;
        try
        {
            change(alert, clock.GetUtcNow());
            await alerts.UpdateAsync(alert, version, cancellationToken);
        }
        catch (DomainException ex)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Denied, ex.Message) { Where = alert.Footprint }, cancellationToken);
            return new ActionResult(ex is ConcurrencyConflictException ? ActionStatus.Conflict : ActionStatus.Refused,
                ex is ConcurrencyConflictException ? "Someone else changed this alert first; look again." : ex.Message);
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, action, target, AuditOutcome.Succeeded, $"{alert.RuleName}: {done}") { Where = alert.Footprint }, cancellationToken);
        events?.Publish();
        return new ActionResult(ActionStatus.Executed, done);
    }

    private async Task TrySaveAsync(Alert alert, int version, CancellationToken cancellationToken)
    {
        try
        {
            await alerts.UpdateAsync(alert, version, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The evaluation changed the alert meanwhile; the action itself is in the audit log.
        }
    }

    private static string Describe(TimeSpan d) => d.TotalHours >= 1 ? $"{d.TotalHours:0.#} h" : $"{d.TotalMinutes:0} min";
}

/// <summary>One CloudWatch alarm a rule mirrors: the instance it watches, and whether it arms EC2's recover action.</summary>
public sealed record MirroredAlarm(Instance Instance, bool ArmRecover);

/// <summary>Keeps a rule's CloudWatch alarms in step with it (mirrored rules only).</summary>
public interface IAlarmMirror
{
    /// <summary>Creates or updates one alarm per given instance; removes the rule's alarms of instances not given.</summary>
    Task<string> SyncAsync(AlertRule rule, IReadOnlyList<MirroredAlarm> alarms, CancellationToken cancellationToken = default);

    Task RemoveAsync(AlertRule rule, IReadOnlyList<CloudScope> scopes, CancellationToken cancellationToken = default);
}

/// <summary>Saving and deleting rules: Approvers and Admins only, versioned, audited, mirrored to CloudWatch when asked.</summary>
public sealed class AlertRules(IAlertRuleStore store, IAuditLog audit, IInventory inventory, MonitoringSettings settings, TimeProvider clock, IAlarmMirror? mirror = null)
{
    public async Task<(AlertRule? Rule, IReadOnlyDictionary<string, string> Errors)> SaveAsync(PortalUser user, Actor actor, Guid? id, AlertRuleDraft draft, CancellationToken cancellationToken = default)
    {
        var errors = draft.Validate(settings.CollectionPeriod);
        var target = $"alert-rule:{id?.ToString() ?? "new"}";
        if (user.IsDisabled || !Authorizer.AuthorizeRole(user.AsActor(actor.Channel), Role.Approver, "writing alert rules").Allowed)
        {
            var message = $"{user.UserName} is {user.Role}; alert rules are written by Approvers and Admins.";
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "alert-rule.save", target, AuditOutcome.Denied, message), cancellationToken);
            return (null, new Dictionary<string, string> { [string.Empty] = message });
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var existing = id is { } known ? await store.FindAsync(known, cancellationToken) : null;
        var rule = draft.ToRule(existing?.Id ?? Guid.CreateVersion7(clock.GetUtcNow()), user, clock.GetUtcNow(), settings.CollectionPeriod, (existing?.Version ?? 0) + 1);
        try
        {
            await store.SaveAsync(rule, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return (null, new Dictionary<string, string> { [string.Empty] = "Someone else saved this rule first; reload it and try again." });
        }

        var mirrored = string.Empty;
        if (mirror is not null && (rule.MirrorToCloudWatch || existing?.MirrorToCloudWatch == true))
        {
            try
            {
                var fleet = await Fleet.AllAsync(inventory, cancellationToken);
                if (rule.MirrorToCloudWatch)
                {
                    var alarms = AlarmsFor(rule, user.AsActor(actor.Channel), fleet);
                    mirrored = " " + await mirror.SyncAsync(rule, alarms, cancellationToken);
                    foreach (var alarm in alarms)
                    {
                        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "alert-rule.alarm", alarm.Instance.Ref.ToString(), AuditOutcome.Succeeded,
                            $"CloudWatch alarm {rule.AlarmName(alarm.Instance.Ref)} for rule '{rule.Name}' (version {rule.Version}){(alarm.ArmRecover ? " arms EC2 recover" : " arms no action")}."), CancellationToken.None);
                    }
                }
                else
                {
                    mirrored = await RemoveMirrorAsync(rule, fleet, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                mirrored = $" CloudWatch alarms were not updated: {ex.Message}";
            }
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "alert-rule.save", $"alert-rule:{rule.Id}", AuditOutcome.Succeeded,
            $"{rule.Name} (version {rule.Version}): {rule.Describe()} on {rule.Scope}.{mirrored}") { Where = rule.Scope.Footprint() }, CancellationToken.None);
        return (rule, new Dictionary<string, string>());
    }

    public async Task<bool> DeleteAsync(PortalUser user, Actor actor, Guid id, CancellationToken cancellationToken = default)
    {
        var target = $"alert-rule:{id}";
        if (user.IsDisabled || !Authorizer.AuthorizeRole(user.AsActor(actor.Channel), Role.Approver, "deleting alert rules").Allowed)
        {
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "alert-rule.delete", target, AuditOutcome.Denied, "Needs Approver or higher."), cancellationToken);
            return false;
        }

        var rule = await store.FindAsync(id, cancellationToken);
        var deleted = await store.DeleteAsync(id, cancellationToken);
        if (deleted && rule is { MirrorToCloudWatch: true } && mirror is not null)
        {
            await RemoveMirrorAsync(rule, await Fleet.AllAsync(inventory, cancellationToken), cancellationToken);
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "alert-rule.delete", target, deleted ? AuditOutcome.Succeeded : AuditOutcome.Failed, rule?.Name ?? "No such rule."), CancellationToken.None);
        return deleted;
    }

    /// <summary>
    /// The alarms a rule may mirror: only instances its owner may see, and EC2's recover action armed only where the owner may
    /// recover that instance (the alarm acts later in AWS, outside the pipeline, so it is held to the owner's rights now).
    /// </summary>
    public static IReadOnlyList<MirroredAlarm> AlarmsFor(AlertRule rule, Actor owner, IEnumerable<Instance> fleet)
    {
        var recover = rule.Kind == RuleKind.StatusCheck && rule.Actions.Any(a => a.Kind == ActionKind.RecoverInstances.Name && a.Mode == ActionMode.Automatic);
        return fleet
            .Where(i => i.State != InstanceState.Terminated && rule.Scope.Covers(i) && owner.CanSee(i.AccountId, i.Region, i.Tags))
            .Select(i => new MirroredAlarm(i, recover && Authorizer.Authorize(owner, ActionKind.RecoverInstances, [new ResolvedTarget(i.Ref, i.Name, i.Tags)]).Allowed))
            .ToList();
    }

    private async Task<string> RemoveMirrorAsync(AlertRule rule, IReadOnlyList<Instance> fleet, CancellationToken cancellationToken)
    {
        await mirror!.RemoveAsync(rule, fleet.Select(i => new CloudScope(i.AccountId, i.Region)).Distinct().ToList(), cancellationToken);
        return " CloudWatch alarms removed.";
    }
}
