using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>The monitoring settings the use cases need (bound from the <c>Monitoring</c> section by the host).</summary>
public sealed record MonitoringSettings(TimeSpan CollectionPeriod, TimeSpan Retention, TimeSpan RollUp, int StormLimit, TimeSpan Backfill)
{
    public static MonitoringSettings Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromDays(14), TimeSpan.FromMinutes(5), 5, TimeSpan.FromHours(24));
}

/// <summary>What one evaluation did.</summary>
public sealed record EvaluationSummary(int Rules, int Evaluations, int Opened, int Resolved, int Silenced, int Notifications);

/// <summary>
/// Evaluates every enabled rule over the stored metrics, keeps one alert per rule (instances join and recover), silences
/// instances in maintenance windows, runs or offers the rules' corrective actions through the <see cref="ActionPipeline"/>,
/// and tells people — rolled up, never one message per data point.
/// </summary>
public sealed class AlertEngine(
    IAlertRuleStore rules,
    IAlertStore alerts,
    IMaintenanceWindowStore windows,
    IMetricStore metrics,
    IInventory inventory,
    IUserStore users,
    INotifier notifier,
    ActionPipeline pipeline,
    MonitoringSettings settings,
    TimeProvider clock,
    IMonitoringEvents? events = null)
{
    public async Task<EvaluationSummary> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var allRules = await rules.ListAsync(cancellationToken);
        var enabled = allRules.Where(r => r.Enabled).ToList();
        var fleet = await Fleet.AllAsync(inventory, cancellationToken);
        var running = fleet.Where(i => i.State == InstanceState.Running).ToList();
        var tags = fleet.ToDictionary(i => i.Ref, i => i.Tags);
        var activeWindows = (await windows.ListAsync(now, cancellationToken)).Where(w => w.IsActiveAt(now)).ToList();
        var open = (await alerts.ListOpenAsync(cancellationToken)).Where(a => AlertSources.IsRuleBased(a.RuleId)).GroupBy(a => a.RuleId).ToDictionary(g => g.Key, g => g.OrderByDescending(a => a.OpenedAt).First());
        var people = await users.ListAsync(cancellationToken);
        var notices = new List<AlertNotice>();
        int evaluations = 0, opened = 0, resolved = 0, silenced = 0;

        foreach (var rule in enabled)
        {
            var targets = running.Where(i => rule.Scope.Covers(i)).ToList();
            var breaching = new List<AlertMember>();
            if (targets.Count > 0)
            {
                var results = await EvaluateRuleAsync(rule, targets, now, cancellationToken);
                evaluations += results.Count;
                foreach (var (instance, evaluation) in results)
                {
                    if (evaluation.State != EvaluationState.Breaching)
                    {
                        continue;
                    }

                    if (activeWindows.Any(w => w.Silences(rule.Id, instance.Ref, instance.Tags, now)))
                    {
                        silenced++;
                        continue;
                    }

                    breaching.Add(new AlertMember(instance.Ref, instance.Name, now, evaluation.Value, evaluation.Detail) { Tags = instance.Tags });
                }
            }

            open.TryGetValue(rule.Id, out var alert);
            IReadOnlyList<AlertMember> joined;
            if (alert is null)
            {
                if (breaching.Count == 0)
                {
                    continue;
                }

                alert = Alert.Open(rule, breaching, now);
                await alerts.AddAsync(alert, cancellationToken);
                opened++;
                joined = breaching;
                await OfferActionsAsync(rule, alert, people, cancellationToken);
            }
            else
            {
                var version = alert.Version;
                joined = alert.Track(breaching, now);
                if (alert.Version == version)
                {
                    continue;
                }

                resolved += alert.IsOpen ? 0 : 1;
                await SaveAsync(alert, version, cancellationToken);
            }

            if (joined.Count > 0)
            {
                await RunAutomaticActionsAsync(rule, alert, joined, people, cancellationToken);
            }
        }

        // Alerts whose rule was deleted or switched off resolve themselves.
        foreach (var orphan in open.Values.Where(a => enabled.All(r => r.Id != a.RuleId)))
        {
            var version = orphan.Version;
            orphan.Resolve(Actor.System(), "the rule was switched off or deleted", now);
            await SaveAsync(orphan, version, cancellationToken);
            resolved++;
        }

        // Everything that changed, or whose roll-up interval or snooze ran out, is announced now.
        var ruleById = allRules.ToDictionary(r => r.Id);
        foreach (var alert in await CandidatesAsync(open.Values, cancellationToken))
        {
            if (alert.DueNotice(now, settings.RollUp) is not { } kind)
            {
                continue;
            }

            var recipients = ruleById.TryGetValue(alert.RuleId, out var rule)
                ? Audience.ForAlert(people, rule.Recipients, alert.IsOpen ? alert.Members : [], tags)
                : [];
            if (!alert.IsOpen && rule is not null)
            {
                // A resolution goes to the people who heard about the alert: its members at the peak are gone, so use the rule's role and scope.
                recipients = people.Where(u => !u.IsDisabled && (rule.Recipients.Users.Contains(u.Id) || (rule.Recipients.MinimumRole is { } role && u.Role >= role))).Select(u => u.Id).ToList();
            }

            var pendingApproval = alert.ApprovalIds.Count > 0 && kind != NoticeKind.Resolved ? alert.ApprovalIds[^1] : (Guid?)null;
            notices.Add(new AlertNotice(alert, kind, recipients, pendingApproval));
            var version = alert.Version;
            alert.MarkNotified(kind, now);
            await SaveAsync(alert, version, cancellationToken);
        }

        var notifications = AlertDigest.Plan(notices, settings.StormLimit);
        foreach (var notification in notifications)
        {
            await notifier.NotifyAsync(notification, cancellationToken);
        }

        events?.Publish();
        return new EvaluationSummary(enabled.Count, evaluations, opened, resolved, silenced, notifications.Count);
    }

    /// <summary>Evaluates one rule for its instances (all of the same metric, so one read of the store).</summary>
    public async Task<IReadOnlyList<(Instance Instance, Evaluation Evaluation)>> EvaluateRuleAsync(AlertRule rule, IReadOnlyList<Instance> targets, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var refs = targets.Select(t => t.Ref).ToList();
        var (from, to) = RuleEvaluator.Window(rule, now);
        var points = (await metrics.QueryAsync(refs, rule.Metric, from, to, cancellationToken)).ToLookup(p => p.Instance);
        var health = rule.Kind == RuleKind.StatusCheck ? await metrics.HealthOfAsync(refs, cancellationToken) : new Dictionary<InstanceRef, InstanceHealth>();
        var baselines = rule.Kind == RuleKind.Anomaly ? await BaselinesAsync(rule, refs, from, to, now, cancellationToken) : null;
        return targets.Select(t =>
        {
            var status = health.TryGetValue(t.Ref, out var h) ? new InstanceStatusReport(t.Ref, h.System, h.InstanceCheck, now) : null;
            return (t, RuleEvaluator.Evaluate(rule, points[t.Ref], now, status, baselines?.GetValueOrDefault(t.Ref)));
        }).ToList();
    }

    /// <summary>The same hours in earlier weeks (as far back as the retention keeps points) make each instance's baseline.</summary>
    private async Task<Dictionary<InstanceRef, AnomalyBaseline>> BaselinesAsync(AlertRule rule, IReadOnlyList<InstanceRef> refs, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var history = new List<MetricPoint>();
        var week = TimeSpan.FromDays(7);
        // Widen to whole hours: a baseline cell is an hour of the week.
        var start = RuleEvaluator.Floor(from, TimeSpan.FromHours(1));
        var end = RuleEvaluator.Floor(to + TimeSpan.FromHours(1) - TimeSpan.FromTicks(1), TimeSpan.FromHours(1));
        for (var back = week; now - back - (end - start) >= now - settings.Retention - week; back += week)
        {
            history.AddRange(await metrics.QueryAsync(refs, rule.Metric, start - back, end - back, cancellationToken));
        }

        return history.GroupBy(p => p.Instance).ToDictionary(g => g.Key, g => AnomalyBaseline.Build(g));
    }

    private async Task<IEnumerable<Alert>> CandidatesAsync(IEnumerable<Alert> known, CancellationToken cancellationToken)
    {
        // Re-read: alerts opened in this run are in the store, and people may have snoozed or acknowledged meanwhile.
        var current = await alerts.ListOpenAsync(cancellationToken);
        var resolvedNow = known.Where(a => !a.IsOpen && !a.ResolutionNotified);
        return current.Where(a => AlertSources.IsRuleBased(a.RuleId)).Concat(resolvedNow).DistinctBy(a => a.Id);
    }

    private async Task OfferActionsAsync(AlertRule rule, Alert alert, IReadOnlyList<PortalUser> people, CancellationToken cancellationToken)
    {
        var offered = rule.Actions.Where(a => a.Mode == ActionMode.Offered).ToList();
        if (offered.Count == 0)
        {
            return;
        }

        var actor = CorrectiveActions.OfferingActor(rule, people.FirstOrDefault(p => p.Id == rule.OwnerId));
        foreach (var action in offered)
        {
            await SubmitAsync(rule, alert, action, alert.Members, actor, $"Offered by alert rule '{rule.Name}'", cancellationToken);
        }
    }

    private async Task RunAutomaticActionsAsync(AlertRule rule, Alert alert, IReadOnlyList<AlertMember> joined, IReadOnlyList<PortalUser> people, CancellationToken cancellationToken)
    {
        var automatic = rule.Actions.Where(a => a.Mode == ActionMode.Automatic).ToList();
        if (automatic.Count == 0)
        {
            return;
        }

        var actor = CorrectiveActions.AutomaticActor(rule, people.FirstOrDefault(p => p.Id == rule.OwnerId));
        foreach (var action in automatic)
        {
            await SubmitAsync(rule, alert, action, joined, actor, null, cancellationToken);
        }
    }

    private async Task SubmitAsync(AlertRule rule, Alert alert, CorrectiveAction action, IReadOnlyList<AlertMember> targets, Actor? actor, string? requireApproval, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var kind = ActionKind.Find(action.Kind);
        var version = alert.Version;
        if (kind is null || actor is null)
        {
            alert.RecordAction(AlertEventKind.ActionRefused, "system", kind is null
                ? $"'{action.Kind}' is not an action"
                : $"{kind.Verb}: the rule's owner {rule.OwnerName} is no longer an enabled Approver, so the rule acts for nobody", now);
            await SaveAsync(alert, version, cancellationToken);
            return;
        }

        var request = new ActionRequest(kind, targets.Select(t => t.Instance).ToList(), $"Alert {alert.Id}: {alert.RuleName}")
        {
            Parameters = action.Parameters,
            RequireApproval = requireApproval,
        };
        var result = await pipeline.SubmitAsync(actor, request, cancellationToken);
        var eventKind = result.Status switch
        {
            ActionStatus.Executed => AlertEventKind.ActionRun,
            ActionStatus.PendingApproval => AlertEventKind.ActionOffered,
            _ => AlertEventKind.ActionRefused,
        };
        alert.RecordAction(eventKind, actor.Name, $"{kind.Verb}: {result.Message}", now, result.ApprovalId);
        await SaveAsync(alert, version, cancellationToken);
    }

    private async Task SaveAsync(Alert alert, int expectedVersion, CancellationToken cancellationToken) =>
        await alerts.UpdateAsync(alert, expectedVersion, cancellationToken);
}

/// <summary>Reads the whole fleet through the paged inventory port.</summary>
public static class Fleet
{
    public static async Task<IReadOnlyList<Instance>> AllAsync(IInventory inventory, CancellationToken cancellationToken = default)
    {
        var all = new List<Instance>();
        for (var page = 0; ; page++)
        {
            var result = await inventory.QueryAsync(new InstanceQuery { PageIndex = page, PageSize = InstanceQuery.MaxPageSize, SortBy = InstanceSort.InstanceId }, cancellationToken);
            all.AddRange(result.Items);
            if (result.Items.Count < InstanceQuery.MaxPageSize || all.Count >= result.TotalCount)
            {
                return all;
            }
        }
    }
}
