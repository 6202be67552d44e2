using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>
/// Patch runs end to end over the portal's stores (SQLite) and its SSM adapter: every install is a real <c>SendCommand</c> of
/// AWS-RunPatchBaseline that moto records (read back with moto's ListCommands), while the three reads moto lacks
/// (DescribeInstanceInformation, ListCommandInvocations, DescribeInstancePatchStates) come from <see cref="SsmPatchingStub"/>
/// on the same loopback proxy; the stub answers a command's invocations for exactly the instances moto says it was sent to.
/// The health gate is the monitoring one (<see cref="MonitoringHealthGate"/>) over the stored alerts and EC2's live status on moto
/// (its failures and holds are in <see cref="PatchHealthGateMotoTests"/>); the clock is a fake one.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class PatchRunMotoTests(MotoServer moto) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Run_NeedsApprovalFirst_ThenCanaryAndBatches_EachWaveASendCommandOnMoto_GateBetween_OfflineSkipped()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 5);
        rig.Stub.Offline.Add(rig.Web[4]);

        var run = await rig.StartAsync(canary: 25, batch: 50);
        Assert.Equal(PatchRunStatus.AwaitingApproval, run.Status);
        Assert.Equal([1, 2, 1], run.Waves.Select(w => w.Size));
        var skipped = Assert.Single(run.Targets, t => t.Status == PatchTargetStatus.Skipped);
        Assert.Equal(rig.Web[4], skipped.Instance.InstanceId);
        Assert.Contains("ConnectionLost", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("amazon-ssm-agent", skipped.Reason, StringComparison.Ordinal);

        // Nothing is installed before approval, however often the job runs.
        for (var i = 0; i < 3; i++)
        {
            Assert.False(await rig.Engine.AdvanceAsync(run.Id));
            rig.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(0, rig.Proxy.CallsTo("SendCommand"));
        Assert.Empty(await rig.InstallsOnMotoAsync());

        await rig.ApproveAsync(run);
        for (var wave = 0; wave < 3; wave++)
        {
            Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // sends the wave's install
            Assert.Equal(wave + 1, rig.Proxy.CallsTo("SendCommand"));
            var targets = (await rig.RunAsync(run.Id)).InWave(wave).ToList();
            var inWave = targets.Select(t => t.Instance.InstanceId).Order().ToList();
            var sent = Assert.Single(await rig.InstallsOnMotoAsync(), c => c.CommandId == targets[0].CommandId);
            Assert.Equal(inWave, sent.InstanceIds.Order());
            Assert.Equal(("Install", "RebootIfNeeded"), (sent.Operation, sent.RebootOption));

            // The agents are still installing: the wave waits (the first read may keep their output so far, then nothing changes).
            inWave.ForEach(id => rig.Stub.InvocationStatus[id] = "InProgress");
            await rig.Engine.AdvanceAsync(run.Id);
            Assert.False(await rig.Engine.AdvanceAsync(run.Id));
            Assert.Equal(WaveStatus.Installing, (await rig.RunAsync(run.Id)).Waves[wave].Status);
            inWave.ForEach(id => rig.Stub.InvocationStatus.Remove(id));
            Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // every invocation succeeded → health gate
            Assert.Equal(WaveStatus.Verifying, (await rig.RunAsync(run.Id)).Waves[wave].Status);
            rig.Clock.Advance(TimeSpan.FromMinutes(5));
            Assert.False(await rig.Engine.AdvanceAsync(run.Id)); // quiet for 10 minutes, not 5
            Assert.Equal(wave + 1, rig.Proxy.CallsTo("SendCommand"));
            rig.Clock.Advance(TimeSpan.FromMinutes(5));
            Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        }

        var done = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Succeeded, done.Status);
        var installed = (await rig.InstallsOnMotoAsync()).SelectMany(c => c.InstanceIds).ToList();
        Assert.Equal(rig.Web.Take(4).Order(), installed.Order());
        Assert.DoesNotContain(rig.Web[4], installed);
        Assert.All(done.Targets.Where(t => t.Status != PatchTargetStatus.Skipped), t =>
        {
            Assert.Equal(PatchTargetStatus.Succeeded, t.Status);
            Assert.Contains($"Installed 3 patches on {t.Instance.InstanceId}", t.Output, StringComparison.Ordinal);
            Assert.Contains(t.CommandId!, t.ConsoleUrl, StringComparison.Ordinal);
        });
        Assert.Contains(rig.Notifier.Changes, c => c.StartsWith("Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthGate_AlertThatFiredBeforeTheInstall_DoesNotFailTheWave()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 2);
        var run = await rig.StartAsync(canary: 50, batch: 50);
        var canaryRef = run.InWave(0).Single();
        var rule = new AlertRuleDraft { Name = "Disk full", Threshold = 90, EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Tag, ScopeValue = "Patch Group=web" }
            .ToRule(Guid.NewGuid(), PatchRunRig.Owner, rig.Clock.GetUtcNow(), TimeSpan.FromMinutes(5), 1);
        await rig.Alerts.AddAsync(Alert.Open(rule, [new AlertMember(canaryRef.Instance, canaryRef.Name, rig.Clock.GetUtcNow().AddHours(-1), 93, "disk 93 %")], rig.Clock.GetUtcNow()));
        await rig.ApproveAsync(run);

        await rig.Engine.AdvanceAsync(run.Id);
        await rig.Engine.AdvanceAsync(run.Id);
        rig.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));

        var after = await rig.RunAsync(run.Id);
        Assert.Equal(WaveStatus.Succeeded, after.Waves[0].Status);
        Assert.Equal(PatchRunStatus.Running, after.Status);
    }

    [Fact]
    public async Task CanaryInstallFails_OnMoto_RunFails_LaterWavesNeverSent()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var run = await rig.StartAsync(canary: 25, batch: 50);
        await rig.ApproveAsync(run);
        await rig.Engine.AdvanceAsync(run.Id);
        var canary = (await rig.RunAsync(run.Id)).InWave(0).Single().Instance.InstanceId;
        rig.Stub.InvocationStatus[canary] = "Failed";

        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        rig.Clock.Advance(TimeSpan.FromHours(1));
        await rig.Engine.AdvanceActiveAsync();

        var failed = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Contains(canary, failed.StatusReason, StringComparison.Ordinal);
        Assert.Equal(("Failed (exit 1)", 1), (failed.Targets.Single(t => t.Instance.InstanceId == canary).Reason, failed.Targets.Single(t => t.Instance.InstanceId == canary).ResponseCode));
        Assert.Equal(3, failed.Targets.Count(t => t.Status == PatchTargetStatus.NotStarted));
        Assert.Equal(1, rig.Proxy.CallsTo("SendCommand"));
        Assert.Equal([canary], (await rig.InstallsOnMotoAsync()).SelectMany(c => c.InstanceIds));
    }

    [Fact]
    public async Task WindowEnds_BetweenWaves_OnMoto_RunStops_NoFurtherSendCommand()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4, windowHours: 1);
        var run = await rig.StartAsync(canary: 25, batch: 50);
        await rig.ApproveAsync(run);
        await rig.Engine.AdvanceAsync(run.Id);
        await rig.Engine.AdvanceAsync(run.Id);
        rig.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // canary passes its gate
        rig.Clock.Advance(TimeSpan.FromHours(1)); // the window ends before the next wave starts

        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        var stopped = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Stopped, stopped.Status);
        Assert.Contains("Patch night", stopped.StatusReason, StringComparison.Ordinal);
        Assert.Equal(1, rig.Proxy.CallsTo("SendCommand"));
    }

    [Fact]
    public async Task StartedTwice_AndTwoWorkersStepping_OnMoto_EachInstanceGetsOneInstall()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 6);
        rig.Proxy.Latency = TimeSpan.FromMilliseconds(30); // widens the window in which both workers are under way
        var run = await rig.StartAsync(canary: 17, batch: 34, key: "tuesday-web");
        Assert.Equal([2, 3, 1], run.Waves.Select(w => w.Size));
        var again = await rig.Starter.StartAsync(Builders.Requester, new PatchRunRequest("web", 17, 34, RebootPolicy.RebootIfNeeded, 10, "tuesday-web"));
        Assert.Equal(run.Id, again.Run!.Id);
        Assert.Single(await rig.Approvals.ListAsync(null, 10));
        await rig.ApproveAsync(run);
        await rig.ApproveAsync(run, expectApproved: false); // the approval job run twice changes nothing

        var second = rig.NewEngine();
        for (var step = 0; step < 40 && !(await rig.RunAsync(run.Id)).IsFinished; step++)
        {
            await Task.WhenAll(Task.Run(() => rig.Engine.AdvanceAsync(run.Id)), Task.Run(() => second.AdvanceAsync(run.Id)));
            rig.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(PatchRunStatus.Succeeded, (await rig.RunAsync(run.Id)).Status);
        var installs = await rig.InstallsOnMotoAsync();
        Assert.Equal(3, installs.Count);
        Assert.Equal(rig.Web.Order(), installs.SelectMany(c => c.InstanceIds).Order()); // six instances, six installs: none twice
    }

    [Fact]
    public async Task Start_OutsideAnyOpenWindowCoveringTheGroup_Refused_NothingAskedOrSent()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 2, windowHours: 0);
        var actor = Builders.Requester;
        var now = rig.Clock.GetUtcNow();
        await rig.Windows.AddAsync(MaintenanceWindow.Create("Later tonight", new RuleScope(ScopeKind.Account, MotoServer.AccountId), null, now.AddHours(3), now.AddHours(5), actor, now));
        await rig.Windows.AddAsync(MaintenanceWindow.Create("Other account", new RuleScope(ScopeKind.Account, "210987654321"), null, now.AddMinutes(-5), now.AddHours(2), actor, now));
        await rig.Windows.AddAsync(MaintenanceWindow.Create("Other tag", new RuleScope(ScopeKind.Tag, "Patch Group=db"), null, now.AddMinutes(-5), now.AddHours(2), actor, now));

        var start = await rig.Starter.StartAsync(actor, new PatchRunRequest("web", 50, 50, RebootPolicy.RebootIfNeeded, 10));

        Assert.Equal(ActionStatus.Refused, start.Result.Status);
        Assert.Contains("No maintenance window covering group web is open now", start.Result.Message, StringComparison.Ordinal);
        Assert.Null(start.Run);
        Assert.Empty(await rig.Approvals.ListAsync(null, 10));
        Assert.Equal(0, rig.Proxy.CallsTo("SendCommand"));
    }

    [Fact]
    public async Task Start_NoOnlineAgentInTheGroup_Refused_WithTheReason()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 2);
        rig.Stub.Offline.UnionWith(rig.Web);

        var start = await rig.Starter.StartAsync(Builders.Requester, new PatchRunRequest("web", 50, 50, RebootPolicy.RebootIfNeeded, 10));

        Assert.Equal(ActionStatus.Refused, start.Result.Status);
        Assert.Contains("No instance of group web can be patched now", start.Result.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionLost", start.Result.Message, StringComparison.Ordinal);
        Assert.Empty(await rig.Approvals.ListAsync(null, 10));
    }
}
