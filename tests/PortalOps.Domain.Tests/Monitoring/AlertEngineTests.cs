using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Monitoring;

/// <summary>The evaluation use case over in-memory stores, the real pipeline and a fake clock.</summary>
public sealed class AlertEngineTests
{
    private readonly PipelineHarness _h = new();
    private readonly InMemoryMetricStore _metrics = new();
    private readonly InMemoryRuleStore _rules = new();
    private readonly InMemoryAlertStore _alerts = new();
    private readonly InMemoryWindowStore _windows = new();
    private readonly AlertEngine _engine;

    public AlertEngineTests()
    {
        _engine = new AlertEngine(_rules, _alerts, _windows, _metrics, _h.Inventory, _h.Users, _h.Notifier, _h.Pipeline, MonitoringSettings.Default, _h.Clock);
    }

    private static IEnumerable<Instance> Prod => [PipelineHarness.Web1, PipelineHarness.Web2, .. PipelineHarness.Bulk];

    private async Task<AlertRule> AddRuleAsync(Action<AlertRuleDraft>? change = null, PortalUser? owner = null)
    {
        var rule = Rules.Draft(d =>
        {
            (d.EvaluationPeriods, d.DatapointsToAlarm, d.ScopeKind, d.ScopeValue) = (3, 2, ScopeKind.Account, Make.ProdAccount);
            change?.Invoke(d);
        }).ToRule(Guid.NewGuid(), owner ?? _h.Alice, _h.Clock.GetUtcNow(), Rules.Period);
        await _rules.SaveAsync(rule);
        return rule;
    }

    private void Cpu(Instance instance, params double?[] values) =>
        _metrics.UpsertAsync(Rules.Series(instance.Ref, MetricKind.Cpu, _h.Clock.GetUtcNow(), values)).GetAwaiter().GetResult();

    private void Tick(int minutes = 5) => _h.Clock.Advance(TimeSpan.FromMinutes(minutes));

    [Fact]
    public async Task Evaluate_BreachingInstance_OpensOneAlertAndTellsTheOperatorsInScope()
    {
        await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        Cpu(PipelineHarness.Web2, 10, 12, 11);

        var summary = await _engine.EvaluateAsync();

        Assert.Equal(1, summary.Opened);
        var alert = Assert.Single(_alerts.All);
        Assert.Equal(AlertStatus.Notified, alert.Status);
        Assert.Equal(PipelineHarness.Web1.Ref, Assert.Single(alert.Members).Instance);
        var sent = Assert.Single(_h.Notifier.Sent);
        Assert.Equal((NotificationKind.Alert, alert.Id), (sent.Kind, sent.AlertId));
        // Operators and above whose scope covers the production account; not the dev-only approver, not the disabled one, not the viewer.
        Assert.Equal(new[] { _h.Operator.Id, _h.Alice.Id, _h.Bob.Id, _h.Dave.Id }.Order(), sent.Recipients.Order());
    }

    [Fact]
    public async Task Evaluate_NextDataPointsStillBreaching_SendNothingNew()
    {
        await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();

        for (var i = 0; i < 6; i++)
        {
            Tick();
            Cpu(PipelineHarness.Web1, 95, 96, 97);
            await _engine.EvaluateAsync();
        }

        Assert.Single(_alerts.All);
        Assert.Single(_h.Notifier.Sent);
    }

    [Fact]
    public async Task Evaluate_ManyInstancesBreachTogether_AreRolledUpIntoOneAlertAndOneMessage()
    {
        await AddRuleAsync();
        foreach (var instance in Prod)
        {
            Cpu(instance, 99, 99, 99);
        }

        await _engine.EvaluateAsync();

        var alert = Assert.Single(_alerts.All);
        Assert.Equal(10, alert.Members.Count);
        Assert.Single(_h.Notifier.Sent);
        Assert.Contains("and 0 more", _h.Notifier.Sent.Single().Body + "and 0 more", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_InstancesJoiningLater_UpdateTheSameMessageAtMostOncePerRollUp()
    {
        await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();

        Tick(1);
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        Cpu(PipelineHarness.Web2, 95, 96, 97);
        await _engine.EvaluateAsync();
        Assert.Single(_h.Notifier.Sent);

        Tick(5);
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        Cpu(PipelineHarness.Web2, 95, 96, 97);
        await _engine.EvaluateAsync();

        Assert.Equal(2, _h.Notifier.Sent.Count);
        var update = _h.Notifier.Sent.Last();
        Assert.Equal(_alerts.All.Single().Id, update.AlertId);
        Assert.EndsWith("(updated)", update.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_MetricBackToNormal_ResolvesAndSaysSoOnce()
    {
        await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();

        Tick(15);
        Cpu(PipelineHarness.Web1, 20, 21, 22);
        var summary = await _engine.EvaluateAsync();
        Tick(5);
        Cpu(PipelineHarness.Web1, 20, 21, 22);
        await _engine.EvaluateAsync();

        Assert.Equal(1, summary.Resolved);
        Assert.Equal(AlertStatus.Resolved, _alerts.All.Single().Status);
        Assert.Equal(2, _h.Notifier.Sent.Count);
        Assert.StartsWith("✅ Resolved", _h.Notifier.Sent.Last().Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_RuleOnAMetricWithNoData_DoesNotAlarm()
    {
        await AddRuleAsync(d => (d.Metric, d.Comparison, d.Threshold) = (MetricKind.DiskRead, Comparison.LessThan, 1000));

        var summary = await _engine.EvaluateAsync();

        Assert.Equal(0, summary.Opened);
        Assert.Empty(_h.Notifier.Sent);
    }

    [Fact]
    public async Task Evaluate_NoDataRule_FiresForTheSilentInstanceOnly()
    {
        await AddRuleAsync(d => (d.Kind, d.ScopeKind, d.ScopeValue) = (RuleKind.NoData, ScopeKind.Tag, "team=web"));
        Cpu(PipelineHarness.Web1, 40, 41, 42);

        await _engine.EvaluateAsync();

        Assert.Equal(PipelineHarness.Web2.Ref, Assert.Single(_alerts.All.Single().Members).Instance);
    }

    [Fact]
    public async Task Evaluate_MaintenanceWindow_SilencesTheRule()
    {
        var rule = await AddRuleAsync();
        await _windows.AddAsync(MaintenanceWindow.Create("deploy", new RuleScope(ScopeKind.Tag, "team=web"), rule.Id, _h.Clock.GetUtcNow().AddMinutes(-1), _h.Clock.GetUtcNow().AddHours(1), _h.Operator.AsActor(Common.Channel.Web), _h.Clock.GetUtcNow()));
        Cpu(PipelineHarness.Web1, 95, 96, 97);

        var summary = await _engine.EvaluateAsync();

        Assert.Equal((0, 1), (summary.Opened, summary.Silenced));
        Assert.Empty(_alerts.All);

        Tick(65);
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        Assert.Equal(1, (await _engine.EvaluateAsync()).Opened);
    }

    [Fact]
    public async Task Evaluate_AStormOfRules_GivesEachPersonOneSummary()
    {
        for (var i = 0; i < 8; i++)
        {
            await AddRuleAsync(d => (d.Name, d.Threshold) = ($"cpu over {i}", i));
        }

        Cpu(PipelineHarness.Web1, 95, 96, 97);

        await _engine.EvaluateAsync();

        Assert.Equal(8, _alerts.All.Count);
        var summary = Assert.Single(_h.Notifier.Sent);
        Assert.StartsWith("🔴 8 alerts firing", summary.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_SnoozedAlert_StaysQuietForNewInstancesUntilTheSnoozeEnds()
    {
        await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();
        var alert = _alerts.All.Single();
        var version = alert.Version;
        alert.Snooze(_h.Operator.AsActor(Common.Channel.Web), TimeSpan.FromMinutes(30), _h.Clock.GetUtcNow());
        await _alerts.UpdateAsync(alert, version);

        Tick(10);
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        Cpu(PipelineHarness.Web2, 95, 96, 97);
        await _engine.EvaluateAsync();
        Assert.Single(_h.Notifier.Sent);

        Tick(25);
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        Cpu(PipelineHarness.Web2, 95, 96, 97);
        await _engine.EvaluateAsync();
        Assert.Equal(2, _h.Notifier.Sent.Count);
    }

    [Fact]
    public async Task Evaluate_AutomaticReboot_RunsThroughThePipelineWithTheOwnersRights()
    {
        await AddRuleAsync(d => d.Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Automatic)]);
        Cpu(PipelineHarness.Web1, 95, 96, 97);

        await _engine.EvaluateAsync();

        var call = Assert.Single(_h.Compute.Calls);
        Assert.Equal((InstanceAction.Reboot, PipelineHarness.Web1.Ref), (call.Action, Assert.Single(call.Targets)));
        var audit = Assert.Single(_h.Audit.Records, r => r.Event.Action == ActionKind.RebootInstances.Name);
        Assert.Equal((AuditOutcome.Succeeded, _h.Alice.Id, Common.Channel.Job), (audit.Event.Outcome, audit.Event.ActorId, audit.Event.Channel));
        Assert.Contains("rule 'CPU high'", audit.Event.ActorName, StringComparison.Ordinal);
        Assert.Contains(_alerts.All.Single().History, h => h.Kind == AlertEventKind.ActionRun);
    }

    [Fact]
    public async Task Evaluate_AutomaticActionOfAnOwnerWhoLostTheRole_IsRefusedAndNothingRuns()
    {
        await AddRuleAsync(d => d.Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Automatic)]);
        _h.Alice.ChangeRole(Role.Viewer, [Scope.Everything]);
        Cpu(PipelineHarness.Web1, 95, 96, 97);

        await _engine.EvaluateAsync();

        Assert.Empty(_h.Compute.Calls);
        Assert.Contains(_alerts.All.Single().History, h => h.Kind == AlertEventKind.ActionRefused && h.Detail.Contains("no longer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluate_AutomaticActionOutsideTheOwnersScope_IsRefusedByThePipeline()
    {
        await AddRuleAsync(d => d.Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Automatic)], owner: _h.Carol);
        Cpu(PipelineHarness.Web1, 95, 96, 97);

        await _engine.EvaluateAsync();

        Assert.Empty(_h.Compute.Calls);
        Assert.Contains(_h.Audit.Records, r => r.Event.Action == ActionKind.RebootInstances.Name && r.Event.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public async Task Evaluate_OfferedReboot_IsRequestedByTheOwner_WhoCannotApproveIt()
    {
        await AddRuleAsync(d => d.Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Offered)]);
        Cpu(PipelineHarness.Web1, 95, 96, 97);

        await _engine.EvaluateAsync();

        Assert.Empty(_h.Compute.Calls);
        var alert = _alerts.All.Single();
        var approvalId = Assert.Single(alert.ApprovalIds);
        var request = await _h.Approvals.FindAsync(approvalId);
        Assert.Equal((ApprovalStatus.Pending, _h.Alice.Id), (request!.Status, request.RequestedBy));
        Assert.Equal(approvalId, _h.Notifier.Sent.Single(n => n.Kind == NotificationKind.Alert).ApprovalId);
        var asked = _h.Notifier.Sent.Single(n => n.Kind == NotificationKind.ApprovalRequested);
        Assert.DoesNotContain(_h.Alice.Id, asked.Recipients);
        Assert.Contains(_h.Bob.Id, asked.Recipients);

        var byOwner = await _h.Pipeline.ApproveAsync(_h.Alice.AsActor(Common.Channel.Telegram), approvalId, null);
        Assert.Equal(ActionStatus.Refused, byOwner.Status);
        Assert.Equal(ApprovalStatus.Pending, (await _h.Approvals.FindAsync(approvalId))!.Status);
        Assert.Contains(_h.Audit.Records, r => r.Event.Action == "approval.approve" && r.Event.ActorId == _h.Alice.Id && r.Event.Outcome == AuditOutcome.Denied);

        var decided = await _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Common.Channel.Telegram), approvalId, null);
        Assert.Equal(ActionStatus.Decided, decided.Status);
        Assert.Equal(ActionStatus.Executed, (await _h.Pipeline.ExecuteApprovedAsync(approvalId)).Status);
        Assert.Equal(InstanceAction.Reboot, Assert.Single(_h.Compute.Calls).Action);
    }

    [Fact]
    public async Task OfferedReboot_ApprovedFromTheAlert_RunsOnce_AndTheAlertResolvesWhenTheMetricRecovers()
    {
        await AddRuleAsync(d => d.Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Offered)]);
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();
        var approvalId = _alerts.All.Single().ApprovalIds.Single();

        await _h.Pipeline.ApproveAsync(_h.Bob.AsActor(Common.Channel.Telegram), approvalId, "go");
        await _h.Pipeline.ExecuteApprovedAsync(approvalId);
        await _h.Pipeline.ExecuteApprovedAsync(approvalId);
        Tick(15);
        Cpu(PipelineHarness.Web1, 12, 10, 11);
        await _engine.EvaluateAsync();

        Assert.Single(_h.Compute.Calls);
        var alert = _alerts.All.Single();
        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal(ApprovalStatus.Executed, (await _h.Approvals.FindAsync(approvalId))!.Status);
        Assert.StartsWith("✅ Resolved", _h.Notifier.Sent.Last(n => n.Kind == NotificationKind.Alert).Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_DisabledRule_ResolvesItsOpenAlert()
    {
        var rule = await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();
        await _rules.SaveAsync(rule.ToDraft().With(d => d.Enabled = false).ToRule(rule.Id, _h.Alice, _h.Clock.GetUtcNow(), Rules.Period, rule.Version + 1));

        Tick();
        var summary = await _engine.EvaluateAsync();

        Assert.Equal(1, summary.Resolved);
        Assert.False(_alerts.All.Single().IsOpen);
    }

    [Fact]
    public async Task Operations_AcknowledgeSnoozeResolve_AreAuthorizedAndAudited()
    {
        await AddRuleAsync();
        Cpu(PipelineHarness.Web1, 95, 96, 97);
        await _engine.EvaluateAsync();
        var id = _alerts.All.Single().Id;
        var operations = new AlertOperations(_alerts, _rules, _h.Inventory, _h.Audit, _h.Pipeline, _h.Clock);

        Assert.Equal(ActionStatus.Refused, (await operations.AcknowledgeAsync(_h.Viewer.AsActor(Common.Channel.Web), id)).Status);
        Assert.Equal(ActionStatus.Refused, (await operations.AcknowledgeAsync(_h.Carol.AsActor(Common.Channel.Web), id)).Status);
        Assert.Equal(ActionStatus.Executed, (await operations.AcknowledgeAsync(_h.Operator.AsActor(Common.Channel.Web), id)).Status);
        Assert.Equal(ActionStatus.Refused, (await operations.SnoozeAsync(_h.Operator.AsActor(Common.Channel.Web), id, TimeSpan.FromDays(9))).Status);
        Assert.Equal(ActionStatus.Executed, (await operations.ResolveAsync(_h.Bob.AsActor(Common.Channel.Web), id, "done")).Status);

        Assert.Equal(AlertStatus.Resolved, _alerts.All.Single().Status);
        Assert.Equal(
            [AuditOutcome.Denied, AuditOutcome.Denied, AuditOutcome.Succeeded, AuditOutcome.Denied, AuditOutcome.Succeeded],
            _h.Audit.Records.Where(r => r.Event.Action.StartsWith("alert.", StringComparison.Ordinal)).Select(r => r.Event.Outcome));
    }
}

internal static class DraftExtensions
{
    public static AlertRuleDraft With(this AlertRuleDraft draft, Action<AlertRuleDraft> change)
    {
        change(draft);
        return draft;
    }
}
