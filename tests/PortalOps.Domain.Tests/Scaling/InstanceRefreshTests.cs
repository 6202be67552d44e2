using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;

namespace PortalOps.Domain.Tests.Scaling;

public sealed class InstanceRefreshTests
{
    private static readonly GroupRef Web = new(Make.ProdAccount, "eu-west-1", "web");
    private readonly FakeScaling _scaling = new FakeScaling().Add(FakeScaling.Group("web", min: 1, desired: 2, max: 4));
    private readonly PipelineHarness _harness;

    public InstanceRefreshTests() => _harness = new PipelineHarness(executors: [new ScalingExecutor(_scaling)]);

    private Actor Operator => _harness.Operator.AsActor(Channel.Web);

    private ScalingOperations Operations(ScalingApprovalGuard guard) =>
        new(_scaling, new InMemoryCapacityHistory(), _harness.Pipeline, guard, _harness.Clock);

    [Fact]
    public async Task StartInstanceRefresh_ByDefault_WaitsForApproval_AndOnceApprovedRunsAndAuditsTheRequestId()
    {
        var operations = Operations(new ScalingApprovalGuard());

        var result = await operations.StartInstanceRefreshAsync(Operator, Web, new InstanceRefreshRequest(80, 120, SkipMatching: true), "new AMI");

        Assert.Equal(ActionStatus.PendingApproval, result.Result!.Status);
        Assert.Contains("instance refresh replaces", result.Result.Message, StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);

        await _harness.Pipeline.ApproveAsync(_harness.Alice.AsActor(Channel.Web), result.Result.ApprovalId!.Value, "patch day");
        var executed = await _harness.Pipeline.ExecuteApprovedAsync(result.Result.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Executed, executed.Status);
        Assert.Equal(["start-refresh web min healthy 80%, warm-up 120 s, skipping matching instances"], _scaling.Calls);
        var audit = Assert.Single(_harness.Audit.Events, e => e.Action == ActionKind.StartInstanceRefresh.Name && e.Outcome == AuditOutcome.Succeeded);
        Assert.Equal("req-1", audit.AwsRequestId);
    }

    [Fact]
    public async Task StartInstanceRefresh_RuleSwitchedOff_RunsAtOnce()
    {
        var result = await Operations(new ScalingApprovalGuard(ApproveInstanceRefresh: false)).StartInstanceRefreshAsync(Operator, Web, new InstanceRefreshRequest());

        Assert.Equal(ActionStatus.Executed, result.Result!.Status);
        Assert.Equal(["start-refresh web min healthy 90%, warm-up group default"], _scaling.Calls);
    }

    [Fact]
    public async Task StartInstanceRefresh_WhileOneRuns_IsRefusedWithAMessage_AndNothingIsSent()
    {
        _scaling.Refreshes[Web] = [new InstanceRefresh("ir-0", InstanceRefreshStatus.InProgress, Make.Now, null, 50, 1)];

        var result = await Operations(new ScalingApprovalGuard(ApproveInstanceRefresh: false)).StartInstanceRefreshAsync(Operator, Web, new InstanceRefreshRequest());

        Assert.Null(result.Result);
        Assert.Contains("already running on web (InProgress, 50% complete)", result.Problems[ScalingOperations.GroupField], StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
        Assert.Empty(_harness.Audit.Events);
    }

    [Fact]
    public async Task StartInstanceRefresh_ApprovedAfterAnotherStarted_FailsWithTheMessage_AndNothingIsSent()
    {
        var operations = Operations(new ScalingApprovalGuard());
        var result = await operations.StartInstanceRefreshAsync(Operator, Web, new InstanceRefreshRequest());
        _scaling.Refreshes[Web] = [new InstanceRefresh("ir-0", InstanceRefreshStatus.Pending, Make.Now, null, 0, 2)];

        await _harness.Pipeline.ApproveAsync(_harness.Alice.AsActor(Channel.Web), result.Result!.ApprovalId!.Value, "ok");
        var executed = await _harness.Pipeline.ExecuteApprovedAsync(result.Result.ApprovalId!.Value);

        Assert.NotEqual(ActionStatus.Executed, executed.Status);
        Assert.Contains("already running", executed.Message, StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Theory]
    [InlineData(101, null, InstanceRefreshRequest.MinHealthyField)]
    [InlineData(90, -1, InstanceRefreshRequest.WarmupField)]
    public async Task StartInstanceRefresh_BadPreferences_MessageAtTheField_AndNothingIsSent(int minHealthy, int? warmup, string field)
    {
        var result = await Operations(new ScalingApprovalGuard()).StartInstanceRefreshAsync(Operator, Web, new InstanceRefreshRequest(minHealthy, warmup));

        Assert.True(result.Problems.ContainsKey(field));
        Assert.Null(result.Result);
        Assert.Empty(_harness.Audit.Events);
    }

    [Fact]
    public async Task CancelInstanceRefresh_NoneRunning_IsRefused_AndRunningOneIsCancelledAndAudited()
    {
        var operations = Operations(new ScalingApprovalGuard());

        var none = await operations.CancelInstanceRefreshAsync(Operator, Web);
        Assert.Equal("No instance refresh is running on web.", none.Problems[ScalingOperations.GroupField]);

        _scaling.Refreshes[Web] = [new InstanceRefresh("ir-0", InstanceRefreshStatus.InProgress, Make.Now, null, 20, 2)];
        var cancelled = await operations.CancelInstanceRefreshAsync(Operator, Web);

        Assert.Equal(ActionStatus.Executed, cancelled.Result!.Status);
        Assert.Equal(["cancel-refresh web"], _scaling.Calls);
        Assert.Equal("req-1", Assert.Single(_harness.Audit.Events, e => e.Action == ActionKind.CancelInstanceRefresh.Name).AwsRequestId);
    }

    [Fact]
    public async Task StartInstanceRefresh_Viewer_IsRefused()
    {
        var result = await Operations(new ScalingApprovalGuard()).StartInstanceRefreshAsync(_harness.Viewer.AsActor(Channel.Web), Web, new InstanceRefreshRequest());

        Assert.Equal(ActionStatus.Refused, result.Result!.Status);
        Assert.Empty(_scaling.Calls);
    }
}
