using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// An alert end to end through the real Telegram.Bot client and a Bot API on loopback: the alert arrives with its buttons, a second
/// approver approves the offered reboot from the alert, the Sandbox reboots the instance, and the alert's message ends resolved.
/// </summary>
public sealed class AlertFlowTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync();

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Alert_InTelegramWithButtons_ApproveReboot_RebootRuns_AndTheMessageEndsResolved()
    {
        var aliceUser = await _bot.AddUserAsync("alice", Role.Approver);
        var alice = await _bot.LinkAsync(aliceUser, 300);
        var bob = await _bot.LinkAsync(await _bot.AddUserAsync("bob", Role.Approver), 301);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var rule = new AlertRuleDraft
        {
            Name = "Web CPU", Threshold = 80, EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Instance, ScopeValue = target.InstanceId,
            NotifyRole = Role.Approver, Severity = Severity.Critical, Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Offered)],
        }.ToRule(Guid.NewGuid(), aliceUser, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        await _bot.Services.GetRequiredService<IAlertRuleStore>().SaveAsync(rule);
        await CpuAsync(rule, target, 95);

        await EvaluateAsync();

        var forAlice = await _bot.Api.WaitForMessageAsync(300, m => m.Text.Contains("[Critical] Web CPU", StringComparison.Ordinal), "the alert with buttons");
        Assert.Equal(["👀 Acknowledge", "😴 Snooze 1 h", "✅ Approve reboot", "❌ Deny"], forAlice.AllButtons.Select(b => b.Text));
        Assert.Contains(target.InstanceId, forAlice.Text, StringComparison.Ordinal);
        var forBob = await _bot.Api.WaitForMessageAsync(301, m => m.Text.Contains("[Critical] Web CPU", StringComparison.Ordinal), "bob's copy");

        _bot.Api.Press(alice, forAlice, "👀 Acknowledge");
        await _bot.Api.WaitForMessageAsync(301, m => m.MessageId == forBob.MessageId && m.Text.Contains("acknowledged by <b>alice</b>", StringComparison.Ordinal), "every copy says who acknowledged");

        _bot.Api.Press(bob, forBob, "✅ Approve reboot");
        await BotStartTests.WaitAsync(() => _bot.AuditAsync(ActionKind.RebootInstances.Name).Result.Any(r => r.Event.Outcome == AuditOutcome.Succeeded), "the reboot to run");
        await _bot.Api.WaitForMessageAsync(300, m => m.MessageId == forAlice.MessageId && m.Text.Contains("executed", StringComparison.Ordinal), "alice's alert shows the action done");

        await CpuAsync(rule, target, 12);
        await EvaluateAsync();

        var resolved = await _bot.Api.WaitForMessageAsync(300, m => m.MessageId == forAlice.MessageId && m.Text.Contains("Resolved: Web CPU", StringComparison.Ordinal), "alice's alert resolved");
        Assert.Empty(resolved.AllButtons);
        var alert = (await _bot.Services.GetRequiredService<IAlertStore>().QueryAsync(new AlertQuery(OpenOnly: false))).Items.Single();
        Assert.Equal((AlertStatus.Resolved, "alice"), (alert.Status, alert.AcknowledgedByName));
        var reboot = Assert.Single(await _bot.AuditAsync(ActionKind.RebootInstances.Name));
        Assert.Contains("approved by bob", reboot.Event.ActorName, StringComparison.Ordinal);
        // One message per alert and person: no second alert message was sent for the changes.
        Assert.Single(_bot.Api.MessagesIn(300), m => m.Text.Contains("Web CPU —", StringComparison.Ordinal) || m.Text.Contains("Resolved: Web CPU", StringComparison.Ordinal));
    }

    private async Task CpuAsync(AlertRule rule, Instance target, double value)
    {
        var points = RuleEvaluator.PeriodStarts(rule, DateTimeOffset.UtcNow).Select(at => new MetricPoint(target.Ref, MetricKind.Cpu, at, value)).ToList();
        await _bot.Services.GetRequiredService<IMetricStore>().UpsertAsync(points);
    }

    private async Task EvaluateAsync()
    {
        await using var scope = _bot.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertEngine>().EvaluateAsync();
    }
}
