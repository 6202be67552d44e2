using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;

namespace PortalOps.Domain.Tests.Scaling;

public sealed class ScalingOperationsTests
{
    private static readonly GroupRef Web = new(Make.ProdAccount, "eu-west-1", "web");
    private static readonly GroupRef DevBatch = new(Make.DevAccount, "us-east-1", "batch");
    private readonly FakeScaling _scaling = new FakeScaling()
        .Add(FakeScaling.Group("web", min: 1, desired: 2, max: 4))
        .Add(FakeScaling.Group("batch", Make.DevAccount, "us-east-1", 0, 1, 3, "env=dev"));
    private readonly PipelineHarness _harness;
    private readonly ScalingOperations _operations;

    public ScalingOperationsTests()
    {
        _harness = new PipelineHarness(executors: [new ScalingExecutor(_scaling)]);
        _operations = new ScalingOperations(_scaling, new InMemoryCapacityHistory(), _harness.Pipeline, new ScalingApprovalGuard(ApproveMaxAbove: 10), _harness.Clock);
    }

    private Actor Operator => _harness.Operator.AsActor(Channel.Web);

    [Fact]
    public async Task SetCapacity_Valid_ReachesThePortAndAuditsTheRequestId()
    {
        var result = await _operations.SetCapacityAsync(Operator, Web, new CapacityChange(1, 3, 6));

        Assert.Equal(ActionStatus.Executed, result.Result!.Status);
        Assert.Equal(["capacity web min 1, desired 3, max 6"], _scaling.Calls);
        var audit = Assert.Single(_harness.Audit.Events, e => e.Action == ActionKind.SetGroupCapacity.Name);
        Assert.Equal((AuditOutcome.Succeeded, "req-1"), (audit.Outcome, audit.AwsRequestId));
    }

    [Theory]
    [InlineData(5, 3, 4, CapacityChange.MaxField)]
    [InlineData(1, 9, 4, CapacityChange.DesiredField)]
    public async Task SetCapacity_BadValues_MessageAtTheFieldAndNothingSent(int min, int desired, int max, string field)
    {
        var result = await _operations.SetCapacityAsync(Operator, Web, new CapacityChange(min, desired, max));

        Assert.True(result.Problems.ContainsKey(field));
        Assert.Null(result.Result);
        Assert.Empty(_scaling.Calls);
        Assert.Empty(_harness.Audit.Events);
    }

    [Fact]
    public async Task SetCapacity_DesiredZero_WaitsForApproval()
    {
        var result = await _operations.SetCapacityAsync(Operator, Web, new CapacityChange(0, 0, 4));

        Assert.Equal(ActionStatus.PendingApproval, result.Result!.Status);
        Assert.Contains("Emptying", result.Result.Message, StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public async Task SetCapacity_MaxAboveTheCeiling_WaitsForApproval_AndRunsOnceApproved()
    {
        var result = await _operations.SetCapacityAsync(Operator, Web, new CapacityChange(1, 2, 12));
        Assert.Equal(ActionStatus.PendingApproval, result.Result!.Status);

        await _harness.Pipeline.ApproveAsync(_harness.Alice.AsActor(Channel.Web), result.Result.ApprovalId!.Value, "traffic spike");
        var executed = await _harness.Pipeline.ExecuteApprovedAsync(result.Result.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Executed, executed.Status);
        Assert.Equal(["capacity web min 1, desired 2, max 12"], _scaling.Calls);
    }

    [Fact]
    public async Task SetCapacity_Viewer_IsRefusedAndNothingSent()
    {
        var result = await _operations.SetCapacityAsync(_harness.Viewer.AsActor(Channel.Web), Web, new CapacityChange(1, 3, 4));

        Assert.Equal(ActionStatus.Refused, result.Result!.Status);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public async Task GroupOutsideScope_IsNeitherListedNorFoundNorChanged()
    {
        var (page, _) = await _operations.ListAsync(Operator, new ScalingGroupQuery());
        var detail = await _operations.DetailAsync(Operator, DevBatch);
        var change = await _operations.SetCapacityAsync(Operator, DevBatch, new CapacityChange(0, 2, 3));

        Assert.Equal(["web"], page.Items.Select(g => g.Name));
        Assert.Null(detail);
        Assert.True(change.Problems.ContainsKey(ScalingOperations.GroupField));
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public async Task AdjustDesired_BeyondMax_IsRefusedAtDesired()
    {
        await _operations.AdjustDesiredAsync(Operator, Web, +1);
        await _operations.AdjustDesiredAsync(Operator, Web, +1);
        var third = await _operations.AdjustDesiredAsync(Operator, Web, +1);

        Assert.True(third.Problems.ContainsKey(CapacityChange.DesiredField));
        Assert.Equal(["capacity web min 1, desired 3, max 4", "capacity web min 1, desired 4, max 4"], _scaling.Calls);
    }

    [Fact]
    public async Task PolicyAndSchedule_BadValues_NothingSent_GoodOnesReachThePort()
    {
        var bad = await _operations.SavePolicyAsync(Operator, Web, new ScalingPolicy("cpu", PolicyKind.TargetTracking) { TargetValue = 250 });
        var badSchedule = await _operations.SaveScheduledActionAsync(Operator, Web, new ScheduledAction("night") { Recurrence = "0 0 31 2 *", DesiredCapacity = 1 });
        Assert.True(bad.Problems.ContainsKey(ScalingPolicy.TargetValueField));
        Assert.True(badSchedule.Problems.ContainsKey(ScheduledAction.RecurrenceField));
        Assert.Empty(_scaling.Calls);

        await _operations.SavePolicyAsync(Operator, Web, new ScalingPolicy("cpu", PolicyKind.TargetTracking) { TargetValue = 55 });
        await _operations.SaveScheduledActionAsync(Operator, Web, new ScheduledAction("night") { Recurrence = "0 22 * * *", TimeZone = "Europe/Berlin", DesiredCapacity = 1 });
        await _operations.SuspendAsync(Operator, Web, ["AZRebalance"]);
        var launch = await _operations.SuspendAsync(Operator, Web, ["Launch"]);
        await _operations.DeletePolicyAsync(Operator, Web, "cpu");

        Assert.Equal(ActionStatus.PendingApproval, launch.Result!.Status);
        Assert.Equal(
            ["put-policy web cpu: keep Cpu at 55", "put-scheduled web night: '0 22 * * *' Europe/Berlin → min –, desired 1, max –", "suspend web AZRebalance", "delete-policy web cpu"],
            _scaling.Calls);
    }

    [Fact]
    public async Task ScaleOut_CorrectiveAction_UsesThePort_CappedAtMax_OncePerKey()
    {
        var scaleOut = new ScalingScaleOut(_scaling);

        var first = await scaleOut.ScaleOutAsync(Web.Scope, "web", 1, "k1");
        var again = await scaleOut.ScaleOutAsync(Web.Scope, "web", 1, "k1");
        var capped = await scaleOut.ScaleOutAsync(Web.Scope, "web", 5, "k2");

        Assert.Equal((3, 3, 4), (first.Desired, again.Desired, capped.Desired));
        Assert.Equal(2, _scaling.Calls.Count);
    }

    [Fact]
    public async Task Recorder_TwoRunsInOneInterval_KeepOneSample_AndAnnounceAFailedLaunchOnce()
    {
        var history = new InMemoryCapacityHistory();
        var short1 = FakeScaling.Group("web", min: 1, desired: 2, max: 4) with { DesiredCapacity = 3 };
        _scaling.Add(short1);
        _scaling.Activities[Web] = [new ScalingActivity("a-1", "Launching a new EC2 instance.", null, ActivityStatus.Failed, Make.Now.AddMinutes(-3), Make.Now.AddMinutes(-3)) { StatusMessage = "InsufficientInstanceCapacity" }];
        var recorder = new CapacityRecorder(_scaling, history, _harness.Ledger, _harness.Notifier, _harness.Users, _harness.Clock);

        var first = await recorder.RecordAsync(TimeSpan.FromMinutes(5));
        _harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await recorder.RecordAsync(TimeSpan.FromMinutes(5));

        Assert.Equal((2, 0), (first.NewSamples, second.NewSamples));
        Assert.Equal((1, 0), (first.FailedLaunches, second.FailedLaunches));
        var told = Assert.Single(_harness.Notifier.Sent, n => n.Title.Contains("failed to launch", StringComparison.Ordinal));
        Assert.Contains(_harness.Operator.Id, told.Recipients);
        Assert.DoesNotContain(_harness.Carol.Id, told.Recipients);
    }
}
