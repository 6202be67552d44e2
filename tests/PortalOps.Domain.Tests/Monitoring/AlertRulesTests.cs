using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Monitoring;

/// <summary>Saving a rule mirrored to CloudWatch: alarms only where the owner may look, actions only the owner may take, each audited.</summary>
public sealed class AlertRulesTests
{
    private readonly PipelineHarness _h = new();
    private readonly RecordingMirror _mirror = new();
    private readonly AlertRules _rules;

    public AlertRulesTests()
    {
        _rules = new AlertRules(new InMemoryRuleStore(), _h.Audit, _h.Inventory, MonitoringSettings.Default, _h.Clock, _mirror);
    }

    private static AlertRuleDraft StatusRuleWithRecover() => Rules.Draft(d =>
    {
        (d.Kind, d.MirrorToCloudWatch) = (RuleKind.StatusCheck, true);
        d.Actions = [new CorrectiveAction(ActionKind.RecoverInstances.Name, ActionMode.Automatic)];
    });

    [Fact]
    public async Task SaveAsync_MirroredRuleOfATagScopedOwner_WritesAndAuditsAlarmsOnlyForInstancesInTheOwnersScope()
    {
        var owner = Make.User("wendy", Role.Approver);
        owner.ChangeRole(Role.Approver, [new Scope("*", "*", "team", "web")]);

        var (rule, errors) = await _rules.SaveAsync(owner, owner.AsActor(Channel.Web), null, StatusRuleWithRecover());

        Assert.Empty(errors);
        var alarms = Assert.Single(_mirror.Synced);
        Assert.Equal([PipelineHarness.Web1.Ref, PipelineHarness.Web2.Ref], alarms.Select(a => a.Instance.Ref).Order(Comparer<InstanceRef>.Create((a, b) => string.CompareOrdinal(a.InstanceId, b.InstanceId))));
        Assert.All(alarms, a => Assert.True(a.ArmRecover));
        var audited = _h.Audit.Events.Where(e => e.Action == "alert-rule.alarm").ToList();
        Assert.Equal(2, audited.Count);
        Assert.All(audited, e => Assert.Contains($"CloudWatch alarm portalops-{rule!.Id:N}-", e.Detail, StringComparison.Ordinal));
        Assert.Contains(audited, e => e.Target == PipelineHarness.Web1.Ref.ToString() && e.Detail!.EndsWith("arms EC2 recover.", StringComparison.Ordinal));
    }

    [Fact]
    public void AlarmsFor_OwnerBelowTheRecoverRole_ArmsNoAction()
    {
        var rule = Rules.Rule(d =>
        {
            (d.Kind, d.MirrorToCloudWatch) = (RuleKind.StatusCheck, true);
            d.Actions = [new CorrectiveAction(ActionKind.RecoverInstances.Name, ActionMode.Automatic)];
        });
        var demoted = Make.User("olivia", Role.Viewer, "*/*").AsActor(Channel.Job);

        var alarms = AlertRules.AlarmsFor(rule, demoted, [PipelineHarness.Web1, PipelineHarness.DevDb]);

        Assert.Equal(2, alarms.Count);
        Assert.All(alarms, a => Assert.False(a.ArmRecover));
    }

    [Fact]
    public void AlarmsFor_OwnerWithoutScopeOverAnInstance_LeavesItOut()
    {
        var rule = Rules.Rule(d => (d.Kind, d.MirrorToCloudWatch) = (RuleKind.StatusCheck, true));
        var devOnly = Make.User("carol", Role.Approver, $"{Make.DevAccount}/*").AsActor(Channel.Web);

        var alarms = AlertRules.AlarmsFor(rule, devOnly, [PipelineHarness.Web1, PipelineHarness.DevDb]);

        Assert.Equal(PipelineHarness.DevDb.Ref, Assert.Single(alarms).Instance.Ref);
    }

    private sealed class RecordingMirror : IAlarmMirror
    {
        public List<IReadOnlyList<MirroredAlarm>> Synced { get; } = [];

        public Task<string> SyncAsync(AlertRule rule, IReadOnlyList<MirroredAlarm> alarms, CancellationToken cancellationToken = default)
        {
            Synced.Add(alarms);
            return Task.FromResult($"{alarms.Count} CloudWatch alarm(s) written.");
        }

        public Task RemoveAsync(AlertRule rule, IReadOnlyList<CloudScope> scopes, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
