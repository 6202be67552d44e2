using Amazon.EC2.Model;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>
/// The health gate between patch waves, end to end on moto: the gate reads the canaries' state and status checks from EC2
/// (DescribeInstanceStatus with IncludeAllInstances, answered by moto through the counting proxy), the alerts from the portal's
/// store, and the run is stepped with a fake clock. A canary stopped or terminated on moto by another client fails the wave; an alert
/// holds it, restarting the quiet time, and fails it only while still open at twice the quiet time (10 minutes here, so 20).
/// Every install is a SendCommand moto records, so "the next wave never started" is counted on the wire.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class PatchHealthGateMotoTests(MotoServer moto) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Gate_CanariesRunningAndOkOnMoto_PassesAfterTheQuietTime_NextWaveIsSent()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, canaries) = await VerifyingCanaryAsync(rig, canary: 50);
        Assert.Equal(2, canaries.Count);
        var readsBefore = rig.Proxy.CallsTo("DescribeInstanceStatus");

        rig.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(await rig.Engine.AdvanceAsync(run.Id)); // healthy, but not quiet for 10 minutes yet
        rig.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));

        var passed = await rig.RunAsync(run.Id);
        Assert.Equal(WaveStatus.Succeeded, passed.Waves[0].Status);
        Assert.Null(passed.Waves[0].Note);
        Assert.Equal(readsBefore + 2, rig.Proxy.CallsTo("DescribeInstanceStatus")); // one call per check, both canaries in it
        var statuses = await rig.Live.ReadAsync(canaries);
        Assert.All(statuses, s => Assert.Equal((Domain.Instances.InstanceState.Running, CheckStatus.Ok, CheckStatus.Ok), (s.State, s.System, s.InstanceCheck)));

        Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // the next wave goes
        Assert.Equal(2, rig.Proxy.CallsTo("SendCommand"));
        var next = (await rig.RunAsync(run.Id)).InWave(1).Select(t => t.Instance.InstanceId).Order().ToList();
        Assert.Equal(rig.Web.Except(canaries.Select(c => c.InstanceId)).Order(), next);
        Assert.Equal(rig.Web.Order(), (await rig.InstallsOnMotoAsync()).SelectMany(c => c.InstanceIds).Order());
    }

    [Fact]
    public async Task Gate_CanaryStoppedOnMoto_FailsTheWaveNamingIt_NextWaveNeverSent()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, canaries) = await VerifyingCanaryAsync(rig, canary: 25);
        var canary = Assert.Single(canaries).InstanceId;
        using (var other = MotoAws.Ec2(moto.Url))
        {
            await other.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [canary] });
        }

        rig.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));

        var failed = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Equal($"Canary failed its health gate: {canary} is stopped.", failed.StatusReason);
        Assert.Equal((WaveStatus.Failed, $"{canary} is stopped."), (failed.Waves[0].Status, failed.Waves[0].Note));
        Assert.All(failed.Waves.Skip(1), w => Assert.Equal(WaveStatus.Cancelled, w.Status));
        await AssertNoFurtherInstallAsync(rig, canary);
    }

    [Fact]
    public async Task Gate_CanaryTerminatedOnMoto_FailsTheWave_NextWaveNeverSent()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, canaries) = await VerifyingCanaryAsync(rig, canary: 25);
        var canary = Assert.Single(canaries).InstanceId;
        using (var other = MotoAws.Ec2(moto.Url))
        {
            await other.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [canary] });
        }

        rig.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));

        var failed = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Equal($"Canary failed its health gate: {canary} is terminated.", failed.StatusReason);
        await AssertNoFurtherInstallAsync(rig, canary);
    }

    [Fact]
    public async Task Gate_AlertOpenOnTheCanary_HoldsAndRestartsTheQuietTime_ClearedThenQuiet_NextWaveGoes()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, canaries) = await VerifyingCanaryAsync(rig, canary: 25);
        var canary = Assert.Single(canaries);
        var installed = (await rig.RunAsync(run.Id)).Waves[0].InstalledAt!.Value;

        rig.Clock.Advance(TimeSpan.FromMinutes(2));
        var alert = await OpenAlertAsync(rig, canary);
        Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // held, not failed
        var held = await rig.RunAsync(run.Id);
        Assert.Equal((PatchRunStatus.Running, WaveStatus.Verifying), (held.Status, held.Waves[0].Status));
        Assert.Equal(installed.AddMinutes(12), held.Waves[0].GateUntil);
        Assert.StartsWith($"held: {canary.InstanceId}: alert 'CPU high' open since", held.Waves[0].Note, StringComparison.Ordinal);

        rig.Clock.Advance(TimeSpan.FromMinutes(6)); // +8: still open, the quiet time starts again
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        Assert.Equal(installed.AddMinutes(18), (await rig.RunAsync(run.Id)).Waves[0].GateUntil);

        var stored = (await rig.Alerts.FindAsync(alert.Id))!;
        var version = stored.Version;
        stored.Track([], rig.Clock.GetUtcNow()); // the canary recovers: the alert resolves itself
        await rig.Alerts.UpdateAsync(stored, version);
        Assert.DoesNotContain(await rig.Alerts.ListOpenAsync(), a => a.Id == alert.Id);

        rig.Clock.Advance(TimeSpan.FromMinutes(4)); // +12: the first quiet time would have ended; the hold moved it
        Assert.False(await rig.Engine.AdvanceAsync(run.Id));
        Assert.Equal(1, rig.Proxy.CallsTo("SendCommand"));
        rig.Clock.Advance(TimeSpan.FromMinutes(6)); // +18: quiet for 10 minutes since the alert was last seen
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));

        var passed = await rig.RunAsync(run.Id);
        Assert.Equal(WaveStatus.Succeeded, passed.Waves[0].Status);
        Assert.StartsWith($"passed after a hold: {canary.InstanceId}: alert 'CPU high'", passed.Waves[0].Note, StringComparison.Ordinal);
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        Assert.Equal(2, rig.Proxy.CallsTo("SendCommand"));
        Assert.Equal(WaveStatus.Installing, (await rig.RunAsync(run.Id)).Waves[1].Status);
    }

    [Fact]
    public async Task Gate_AlertStillOpenAtTwiceTheQuietTime_FailsTheWave_NextWaveNeverSent()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, canaries) = await VerifyingCanaryAsync(rig, canary: 25);
        var canary = Assert.Single(canaries);

        rig.Clock.Advance(TimeSpan.FromMinutes(2));
        await OpenAlertAsync(rig, canary);
        for (var minute = 2; minute < 20; minute += 3)
        {
            await rig.Engine.AdvanceAsync(run.Id);
            Assert.Equal(WaveStatus.Verifying, (await rig.RunAsync(run.Id)).Waves[0].Status);
            rig.Clock.Advance(TimeSpan.FromMinutes(3));
        }

        // +20 minutes after the install, the alert is still open.
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        var failed = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.StartsWith($"Canary failed its health gate: {canary.InstanceId}: alert 'CPU high' open since", failed.StatusReason, StringComparison.Ordinal);
        Assert.EndsWith("still not clear 20 min after the install (twice the 10 min quiet time).", failed.StatusReason, StringComparison.Ordinal);
        await AssertNoFurtherInstallAsync(rig, canary.InstanceId);
    }

    [Fact]
    public async Task Gate_StatusCheckImpaired_FailsTheWave_StubbedAnswerInEc2sShape()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, canaries) = await VerifyingCanaryAsync(rig, canary: 25);
        var canary = Assert.Single(canaries).InstanceId;

        // moto always reports "ok" checks for a running instance: this one answer is a stub in DescribeInstanceStatus's documented shape.
        rig.Proxy.StubQuery("DescribeInstanceStatus", _ => (200, $"""
            <DescribeInstanceStatusResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>3be1508e-c444-4fef-89cc-0b1223c4f02f</requestId>
              <instanceStatusSet>
                <item>
                  <instanceId>{canary}</instanceId>
                  <availabilityZone>us-east-1a</availabilityZone>
                  <instanceState><code>16</code><name>running</name></instanceState>
                  <systemStatus><status>ok</status><details><item><name>reachability</name><status>passed</status></item></details></systemStatus>
                  <instanceStatus><status>impaired</status><details><item><name>reachability</name><status>failed</status></item></details></instanceStatus>
                </item>
              </instanceStatusSet>
            </DescribeInstanceStatusResponse>
            """));
        rig.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));

        var failed = await rig.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Equal($"Canary failed its health gate: {canary} fails its EC2 status checks (system ok, instance impaired).", failed.StatusReason);
        await AssertNoFurtherInstallAsync(rig, canary);
    }

    [Fact]
    public async Task Gate_Ec2StatusRefused_HoldsRatherThanPassing_PassesOnceReadable()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 4);
        var (run, _) = await VerifyingCanaryAsync(rig, canary: 25);
        rig.Proxy.Fail("DescribeInstanceStatus", "UnauthorizedOperation");

        rig.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        var held = (await rig.RunAsync(run.Id)).Waves[0];
        Assert.Equal(WaveStatus.Verifying, held.Status);
        Assert.Contains("EC2 status could not be read", held.Note, StringComparison.Ordinal);
        Assert.Contains("DescribeInstanceStatus", held.Note, StringComparison.Ordinal);

        rig.Proxy.Heal("DescribeInstanceStatus");
        rig.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await rig.Engine.AdvanceAsync(run.Id));
        Assert.Equal(WaveStatus.Succeeded, (await rig.RunAsync(run.Id)).Waves[0].Status);
    }

    [Fact]
    public async Task Reader_AnIdEc2DoesNotKnowInTheBatch_IsAskedAlone_AndLeftOut_TheOthersStillRead()
    {
        await using var rig = await PatchRunRig.StartAsync(moto, _database, web: 3);
        var refs = rig.Web.Select(id => new Domain.Instances.InstanceRef(MotoServer.AccountId, "us-east-1", id)).ToList();
        var unknown = refs[0] with { InstanceId = "i-0000000000000dead" };
        using (var other = MotoAws.Ec2(moto.Url))
        {
            await other.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [rig.Web[2]] });
        }

        rig.Proxy.ResetCounts();
        var statuses = (await rig.Live.ReadAsync([.. refs, unknown])).ToDictionary(s => s.Instance);

        Assert.Equal(1 + 4, rig.Proxy.CallsTo("DescribeInstanceStatus")); // the batch refused (InvalidInstanceID.NotFound), then one call per id
        Assert.Equal(rig.Web.Order(), statuses.Keys.Select(k => k.InstanceId).Order());
        Assert.Equal(Domain.Instances.InstanceState.Running, statuses[refs[0]].State);
        Assert.Equal((Domain.Instances.InstanceState.Stopped, true), (statuses[refs[2]].State, statuses[refs[2]].Down));

        var result = await rig.Gate.CheckAsync([.. refs.Take(2), unknown], rig.Clock.GetUtcNow());
        Assert.Equal("i-0000000000000dead is no longer reported by EC2 (terminated and gone).", result.Problem);
    }

    /// <summary>Starts and approves a run on group web, sends the canary wave and lets its installs succeed: the wave is verifying.</summary>
    private static async Task<(PatchRun Run, List<Domain.Instances.InstanceRef> Canaries)> VerifyingCanaryAsync(PatchRunRig rig, int canary)
    {
        var run = await rig.StartAsync(canary: canary, batch: 100);
        await rig.ApproveAsync(run);
        Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // sends the canary install
        Assert.True(await rig.Engine.AdvanceAsync(run.Id)); // every invocation succeeded → health gate
        var verifying = await rig.RunAsync(run.Id);
        Assert.Equal(WaveStatus.Verifying, verifying.Waves[0].Status);
        Assert.Equal(1, rig.Proxy.CallsTo("SendCommand"));
        return (verifying, verifying.InWave(0).Select(t => t.Instance).ToList());
    }

    private static async Task<Alert> OpenAlertAsync(PatchRunRig rig, Domain.Instances.InstanceRef canary)
    {
        var now = rig.Clock.GetUtcNow();
        var rule = new AlertRuleDraft { Name = "CPU high", Threshold = 80, EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Tag, ScopeValue = "Patch Group=web" }
            .ToRule(Guid.NewGuid(), PatchRunRig.Owner, now, TimeSpan.FromMinutes(5), 1);
        var alert = Alert.Open(rule, [new AlertMember(canary, canary.InstanceId, now, 97, "CPU 97 %")], now);
        await rig.Alerts.AddAsync(alert);
        return alert;
    }

    /// <summary>Half an hour of job runs later, still only the canary's install was ever sent, and the run says it failed.</summary>
    private static async Task AssertNoFurtherInstallAsync(PatchRunRig rig, string canary)
    {
        for (var i = 0; i < 3; i++)
        {
            rig.Clock.Advance(TimeSpan.FromMinutes(10));
            await rig.Engine.AdvanceActiveAsync();
        }

        Assert.Equal(1, rig.Proxy.CallsTo("SendCommand"));
        Assert.Equal([canary], (await rig.InstallsOnMotoAsync()).SelectMany(c => c.InstanceIds));
        Assert.Empty(await rig.Runs.ActiveAsync());
        Assert.Contains(rig.Notifier.Changes, c => c.StartsWith("Failed", StringComparison.Ordinal));
    }
}
