using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Patching;

public sealed class PatchRunTests
{
    [Fact]
    public async Task Start_NeedsApproval_NothingInstalledBeforeIt()
    {
        var h = new PatchingHarness();
        var run = await h.StartAsync();

        Assert.Equal(PatchRunStatus.AwaitingApproval, run.Status);
        Assert.NotNull(run.ApprovalId);
        Assert.False(await h.Engine.AdvanceAsync(run.Id));
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.Engine.AdvanceActiveAsync();
        Assert.Empty(h.Commands.Sent);
        Assert.Throws<DomainException>(() => run.BeginWave(h.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task Approved_RunsAllWavesInOrder_WithHealthGateBetween()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync();
        Assert.Equal([1, 3, 3, 3], run.Waves.Select(w => w.Size));

        for (var wave = 0; wave < 4; wave++)
        {
            Assert.True(await h.Engine.AdvanceAsync(run.Id)); // send
            Assert.Equal(run.Waves.Take(wave + 1).Sum(w => w.Size), h.Commands.InstallsSentTo.Count());
            Assert.False(await h.Engine.AdvanceAsync(run.Id)); // still installing: nothing changes
            h.SucceedSent();
            Assert.True(await h.Engine.AdvanceAsync(run.Id)); // installed → verifying
            Assert.Equal(WaveStatus.Verifying, (await h.RunAsync(run.Id)).Waves[wave].Status);
            h.Clock.Advance(TimeSpan.FromMinutes(5));
            Assert.False(await h.Engine.AdvanceAsync(run.Id)); // quiet time not over
            h.Clock.Advance(TimeSpan.FromMinutes(5));
            Assert.True(await h.Engine.AdvanceAsync(run.Id)); // gate passes
        }

        var done = await h.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Succeeded, done.Status);
        Assert.All(done.Targets.Where(t => t.Instance.InstanceId != "i-other"), t => Assert.Equal(PatchTargetStatus.Succeeded, t.Status));
        Assert.Equal(10, h.Commands.InstallsSentTo.Distinct().Count());
        Assert.All(h.Commands.Sent, s => Assert.Equal(PatchRunEngine.Document, s.Document));
        Assert.Contains(h.Notifier.Changes, c => c.StartsWith("Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CanaryFailure_StopsTheRest_AndNotifies()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync();
        await h.Engine.AdvanceAsync(run.Id);
        var canary = Assert.Single(h.Commands.InstallsSentTo);
        h.Commands.Outcomes[canary] = "Failed";
        await h.Engine.AdvanceAsync(run.Id);

        var failed = await h.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Contains(canary, failed.StatusReason, StringComparison.Ordinal);
        Assert.Equal(WaveStatus.Failed, failed.Waves[0].Status);
        Assert.All(failed.Waves.Skip(1), w => Assert.Equal(WaveStatus.Cancelled, w.Status));
        Assert.Equal(9, failed.Targets.Count(t => t.Status == PatchTargetStatus.NotStarted));
        Assert.Contains("output for", failed.Targets.Single(t => t.Instance.InstanceId == canary).Output, StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.Engine.AdvanceActiveAsync();
        Assert.Single(h.Commands.InstallsSentTo);
        Assert.Contains(h.Notifier.Changes, c => c.StartsWith("Failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnhealthyWave_FailsRunAtTheGate()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync();
        await h.Engine.AdvanceAsync(run.Id);
        h.SucceedSent();
        await h.Engine.AdvanceAsync(run.Id);
        h.Gate.Answer = HealthGateResult.Fail("i-000: alert 'CPU high' fired after patching");
        await h.Engine.AdvanceAsync(run.Id);

        var failed = await h.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Contains("CPU high", failed.StatusReason, StringComparison.Ordinal);
        Assert.Single(h.Commands.InstallsSentTo);
    }

    [Fact]
    public async Task HeldWave_QuietTimeRestartsWhileHeld_PassesOnceQuietAfterTheHoldClears()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync(PatchingHarness.Request(quiet: 10));
        await h.Engine.AdvanceAsync(run.Id);
        h.SucceedSent();
        await h.Engine.AdvanceAsync(run.Id);
        var installed = (await h.RunAsync(run.Id)).Waves[0].InstalledAt!.Value;

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        h.Gate.Answer = HealthGateResult.Hold("i-000: alert 'CPU high' open since 10:02 UTC (cpu 95)");
        Assert.True(await h.Engine.AdvanceAsync(run.Id));
        var held = (await h.RunAsync(run.Id)).Waves[0];
        Assert.Equal((WaveStatus.Verifying, installed.AddMinutes(12)), (held.Status, held.GateUntil));
        Assert.Equal("held: i-000: alert 'CPU high' open since 10:02 UTC (cpu 95)", held.Note);

        h.Clock.Advance(TimeSpan.FromMinutes(6)); // still open at +8: the quiet time starts again
        Assert.True(await h.Engine.AdvanceAsync(run.Id));
        Assert.Equal(installed.AddMinutes(18), (await h.RunAsync(run.Id)).Waves[0].GateUntil);

        h.Gate.Answer = HealthGateResult.Pass; // cleared after +8
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(await h.Engine.AdvanceAsync(run.Id)); // +12: the first quiet time would be over, but the hold moved it
        Assert.Single(h.Commands.Sent);
        h.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await h.Engine.AdvanceAsync(run.Id)); // +18: quiet for 10 minutes since the last hold

        var after = await h.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Running, after.Status);
        Assert.Equal(WaveStatus.Succeeded, after.Waves[0].Status);
        Assert.StartsWith("passed after a hold: i-000", after.Waves[0].Note, StringComparison.Ordinal);
        Assert.True(await h.Engine.AdvanceAsync(run.Id));
        Assert.Equal(2, h.Commands.Sent.Count);
    }

    [Fact]
    public async Task HeldWave_StillHeldAtTwiceTheQuietTime_FailsTheRun()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync(PatchingHarness.Request(quiet: 10));
        await h.Engine.AdvanceAsync(run.Id);
        h.SucceedSent();
        await h.Engine.AdvanceAsync(run.Id);
        h.Gate.Answer = HealthGateResult.Hold("i-000: alert 'CPU high' open since 10:01 UTC (cpu 95)");

        for (var minute = 1; minute < 20; minute++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            await h.Engine.AdvanceAsync(run.Id);
            Assert.Equal(WaveStatus.Verifying, (await h.RunAsync(run.Id)).Waves[0].Status);
        }

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await h.Engine.AdvanceAsync(run.Id));

        var failed = await h.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        Assert.Equal("Canary failed its health gate: i-000: alert 'CPU high' open since 10:01 UTC (cpu 95); still not clear 20 min after the install (twice the 10 min quiet time).",
            failed.StatusReason);
        Assert.All(failed.Waves.Skip(1), w => Assert.Equal(WaveStatus.Cancelled, w.Status));
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.Engine.AdvanceActiveAsync();
        Assert.Single(h.Commands.InstallsSentTo);
        Assert.Contains(h.Notifier.Changes, c => c.StartsWith("Failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WindowEnd_StopsRunBetweenWaves()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync(PatchingHarness.Request(quiet: 30));
        await h.Engine.AdvanceAsync(run.Id);
        h.SucceedSent();
        await h.Engine.AdvanceAsync(run.Id);
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.Engine.AdvanceAsync(run.Id); // canary passes its gate
        h.Clock.Advance(TimeSpan.FromHours(2)); // the window has ended
        await h.Engine.AdvanceAsync(run.Id);

        var stopped = await h.RunAsync(run.Id);
        Assert.Equal(PatchRunStatus.Stopped, stopped.Status);
        Assert.Contains("Tuesday patching", stopped.StatusReason, StringComparison.Ordinal);
        Assert.Equal(WaveStatus.Succeeded, stopped.Waves[0].Status);
        Assert.All(stopped.Waves.Skip(1), w => Assert.Equal(WaveStatus.Cancelled, w.Status));
        Assert.Single(h.Commands.InstallsSentTo);
    }

    [Fact]
    public async Task OutsideAnyWindow_Refused()
    {
        var h = new PatchingHarness(openWindow: false);
        var start = await h.Starter.StartAsync(h.Operator.AsActor(Channel.Web), PatchingHarness.Request());
        Assert.Equal(ActionStatus.Refused, start.Result.Status);
        Assert.Contains("maintenance window", start.Result.Message, StringComparison.Ordinal);
        Assert.Null(start.Run);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(101, 30)]
    [InlineData(10, 0)]
    [InlineData(10, 150)]
    public async Task BadWaveSize_Refused(int canary, int batch)
    {
        var h = new PatchingHarness();
        var start = await h.Starter.StartAsync(h.Operator.AsActor(Channel.Web), PatchingHarness.Request(canary, batch));
        Assert.Equal(ActionStatus.Refused, start.Result.Status);
        Assert.Contains("%", start.Result.Message, StringComparison.Ordinal);
        Assert.Empty(await h.Approvals.ListAsync(null, 10));
    }

    [Fact]
    public async Task OfflineAgents_ListedAsSkippedWithReason_NeverSent()
    {
        var h = new PatchingHarness();
        h.Commands.Agents["i-003"] = "ConnectionLost";
        h.Commands.Agents.Remove("i-004");
        var run = await h.StartApprovedAsync(PatchingHarness.Request(canary: 100));

        var skipped = run.Targets.Where(t => t.Status == PatchTargetStatus.Skipped).ToDictionary(t => t.Instance.InstanceId);
        Assert.Equal(["i-003", "i-004"], skipped.Keys.Order());
        Assert.Contains("ConnectionLost", skipped["i-003"].Reason, StringComparison.Ordinal);
        Assert.Contains("instance profile", skipped["i-004"].Reason, StringComparison.Ordinal);
        await h.Engine.AdvanceAsync(run.Id);
        Assert.Equal(8, h.Commands.InstallsSentTo.Count());
        Assert.DoesNotContain("i-003", h.Commands.InstallsSentTo);
    }

    [Fact]
    public async Task StartedTwice_SameKey_OneRunOneApproval()
    {
        var h = new PatchingHarness();
        var first = await h.StartAsync(PatchingHarness.Request(key: "tuesday-web"));
        var again = await h.Starter.StartAsync(h.Operator.AsActor(Channel.Web), PatchingHarness.Request(key: "tuesday-web"));
        Assert.Equal(first.Id, again.Run!.Id);
        Assert.Single(await h.Approvals.ListAsync(null, 10));

        var other = await h.Starter.StartAsync(h.Operator.AsActor(Channel.Web), PatchingHarness.Request(key: "another"));
        Assert.Equal(ActionStatus.Refused, other.Result.Status);
        Assert.Contains("already has a run", other.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoWorkersAdvancingAtOnce_InstallOncePerInstance()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync(PatchingHarness.Request(canary: 50));
        h.Runs.FindGate = new AsyncGate(2);
        var other = h.NewEngine();
        await Task.WhenAll(h.Engine.AdvanceAsync(run.Id), other.AdvanceAsync(run.Id));
        h.Runs.FindGate = null;

        Assert.Equal(5, h.Commands.InstallsSentTo.Count());
        Assert.Equal(5, h.Commands.InstallsSentTo.Distinct().Count());
        var sending = await h.RunAsync(run.Id);
        Assert.All(sending.InWave(0), t => Assert.Equal(PatchTargetStatus.Installing, t.Status));

        // Approving again (the approval job run twice) changes nothing and sends nothing.
        var execution = await new PatchInstallExecutor(h.Runs).ExecuteAsync(ActionKind.InstallPatches, [], new Dictionary<string, string> { [PatchRuns.RunIdParameter] = run.Id.ToString("N") }, "k", CancellationToken.None);
        Assert.True(execution.Succeeded);
        await h.Engine.AdvanceAsync(run.Id);
        Assert.Equal(5, h.Commands.InstallsSentTo.Count());
    }

    [Fact]
    public async Task LostSend_RetriedOnlyAfterLease()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync();
        var claimed = await h.RunAsync(run.Id);
        var read = claimed.Version;
        claimed.BeginWave(h.Clock.GetUtcNow()); // a worker claimed the wave, then its node stopped before sending
        await h.Runs.SaveAsync(claimed, read);

        await h.Engine.AdvanceAsync(run.Id);
        Assert.Empty(h.Commands.Sent);
        h.Clock.Advance(PatchRun.SendLease);
        await h.Engine.AdvanceAsync(run.Id);
        Assert.Single(h.Commands.InstallsSentTo);
    }

    [Fact]
    public async Task RebootIfNeeded_DrainsBeforeAndRestoresAfter_NoRebootDoesNeither()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync();
        await h.Engine.AdvanceAsync(run.Id);
        h.SucceedSent();
        await h.Engine.AdvanceAsync(run.Id);
        Assert.Equal(["drain i-000", "restore i-000"], h.Reboots.Calls);
        Assert.Equal("RebootIfNeeded", h.Commands.Sent.Single().Parameters["RebootOption"][0]);
        Assert.Equal("Install", h.Commands.Sent.Single().Parameters["Operation"][0]);

        var n = new PatchingHarness();
        var quiet = await n.StartApprovedAsync(PatchingHarness.Request(reboot: RebootPolicy.NoReboot));
        await n.Engine.AdvanceAsync(quiet.Id);
        Assert.Empty(n.Reboots.Calls);
        Assert.Equal("NoReboot", n.Commands.Sent.Single().Parameters["RebootOption"][0]);
    }

    [Fact]
    public async Task DeniedApproval_RunDenied_NothingSent()
    {
        var h = new PatchingHarness();
        var run = await h.StartAsync();
        await h.Pipeline.DenyAsync(h.Approver.AsActor(Channel.Web), run.ApprovalId!.Value, "not this week");
        Assert.True(await h.Engine.AdvanceAsync(run.Id));

        Assert.Equal(PatchRunStatus.Denied, (await h.RunAsync(run.Id)).Status);
        Assert.Empty(h.Commands.Sent);
    }

    [Fact]
    public async Task LongOutput_KeptTruncated_WithConsoleLink()
    {
        var h = new PatchingHarness();
        var run = await h.StartApprovedAsync();
        await h.Engine.AdvanceAsync(run.Id);
        var r = await h.RunAsync(run.Id);
        var read = r.Version;
        r.Record(new CommandInvocation("i-000", "Success", new string('x', 10_000), 0), h.Clock.GetUtcNow());
        await h.Runs.SaveAsync(r, read);

        var target = (await h.RunAsync(run.Id)).Targets.Single(t => t.Instance.InstanceId == "i-000");
        Assert.Equal(PatchRunTarget.MaxOutput, target.Output!.Length);
        Assert.True(target.OutputTruncated);
        Assert.Contains("/systems-manager/run-command/", target.ConsoleUrl, StringComparison.Ordinal);
    }
}
