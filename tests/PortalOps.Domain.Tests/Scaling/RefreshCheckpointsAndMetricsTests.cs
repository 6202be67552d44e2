using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;

namespace PortalOps.Domain.Tests.Scaling;

/// <summary>
/// Instance refresh checkpoints, desired version and rollback, and enabling group metrics collection: validated at their fields,
/// carried to the port exactly, and run through the pipeline with the request id audited.
/// </summary>
public sealed class RefreshCheckpointsAndMetricsTests
{
    private static readonly GroupRef Web = new(Make.ProdAccount, "eu-west-1", "web");
    private readonly FakeScaling _scaling = new FakeScaling().Add(FakeScaling.Group("web", min: 1, desired: 2, max: 4));
    private readonly PipelineHarness _harness;

    public RefreshCheckpointsAndMetricsTests() => _harness = new PipelineHarness(executors: [new ScalingExecutor(_scaling)]);

    private Actor Operator => _harness.Operator.AsActor(Channel.Web);

    private ScalingOperations Operations(bool approveRefresh = false) =>
        new(_scaling, new InMemoryCapacityHistory(), _harness.Pipeline, new ScalingApprovalGuard(ApproveInstanceRefresh: approveRefresh), _harness.Clock);

    [Theory]
    [InlineData(new[] { 50, 20, 100 }, "ascending")]
    [InlineData(new[] { 20, 20, 100 }, "ascending")]
    [InlineData(new[] { 0, 100 }, "between 1 and 100")]
    [InlineData(new[] { 20, 101 }, "between 1 and 100")]
    [InlineData(new[] { 20, 50 }, "last checkpoint is 100")]
    public void Check_BadCheckpoints_GetAMessageAtCheckpoints(int[] checkpoints, string message)
    {
        var problems = new InstanceRefreshRequest { CheckpointPercentages = checkpoints }.Check();

        Assert.Contains(message, problems[InstanceRefreshRequest.CheckpointsField], StringComparison.Ordinal);
        Assert.Single(problems);
    }

    [Theory]
    [InlineData(-1, "between 0 and 172800")]
    [InlineData(172_801, "between 0 and 172800")]
    public void Check_DelayOutsideTwoDays_GetsAMessageAtTheDelay(int delay, string message)
    {
        var problems = new InstanceRefreshRequest { CheckpointPercentages = [50, 100], CheckpointDelaySeconds = delay }.Check();

        Assert.Contains(message, problems[InstanceRefreshRequest.CheckpointDelayField], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DelayWithoutCheckpoints_AutoRollbackWithoutVersion_AndABadVersion_EachGetAMessage()
    {
        Assert.Contains("needs checkpoints", new InstanceRefreshRequest { CheckpointDelaySeconds = 60 }.Check()[InstanceRefreshRequest.CheckpointDelayField], StringComparison.Ordinal);
        Assert.Contains("needs a desired launch template version", new InstanceRefreshRequest { AutoRollback = true }.Check()[InstanceRefreshRequest.AutoRollbackField], StringComparison.Ordinal);
        Assert.Contains("whole number", new InstanceRefreshRequest { LaunchTemplateVersion = "$Latest" }.Check()[InstanceRefreshRequest.VersionField], StringComparison.Ordinal);
        Assert.Empty(new InstanceRefreshRequest { CheckpointPercentages = [1, 100], CheckpointDelaySeconds = 172_800, AutoRollback = true, LaunchTemplateVersion = "12" }.Check());
        Assert.Empty(new InstanceRefreshRequest { CheckpointPercentages = [100], CheckpointDelaySeconds = 0 }.Check());
    }

    [Fact]
    public void Parameters_RoundTrip_EveryPreference()
    {
        var request = new InstanceRefreshRequest(75, 60, true) { CheckpointPercentages = [20, 50, 100], CheckpointDelaySeconds = 900, AutoRollback = true, LaunchTemplateVersion = "7" };

        var back = InstanceRefreshRequest.FromParameters(request.ToParameters())!;

        Assert.Equal((75, (int?)60, true, 900, true, "7"), (back.MinHealthyPercentage, back.InstanceWarmupSeconds, back.SkipMatching, back.CheckpointDelaySeconds, back.AutoRollback, back.LaunchTemplateVersion));
        Assert.Equal([20, 50, 100], back.CheckpointPercentages);
        Assert.Equal("20,50,100", request.ToParameters()[InstanceRefreshRequest.CheckpointsParameter]);
        Assert.Null(InstanceRefreshRequest.FromParameters(new Dictionary<string, string> { ["minHealthy"] = "90", ["checkpoints"] = "20,x" }));
    }

    [Fact]
    public async Task StartInstanceRefresh_BadCheckpoints_AreRefusedAtTheField_AndNothingIsSent()
    {
        var result = await Operations().StartInstanceRefreshAsync(Operator, Web, new InstanceRefreshRequest { CheckpointPercentages = [50, 20], CheckpointDelaySeconds = 200_000 });

        Assert.Null(result.Result);
        Assert.Equal([InstanceRefreshRequest.CheckpointDelayField, InstanceRefreshRequest.CheckpointsField], result.Problems.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(_scaling.Calls);
        Assert.Empty(_harness.Audit.Events);
    }

    [Fact]
    public async Task Executor_BadCheckpointsInStoredParameters_AreRefusedWhenItRuns()
    {
        var executor = new ScalingExecutor(_scaling);
        var target = (await executor.ResolveAsync(ActionKind.StartInstanceRefresh, Web.AsTarget, CancellationToken.None))!;
        var parameters = new Dictionary<string, string> { ["minHealthy"] = "90", ["checkpoints"] = "50,20" };

        var run = await executor.ExecuteAsync(ActionKind.StartInstanceRefresh, [target], parameters, "k", CancellationToken.None);

        Assert.False(run.Succeeded);
        Assert.Contains("ascending", run.Summary, StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public async Task StartInstanceRefresh_WithCheckpointsVersionAndRollback_ReachesThePortExactly()
    {
        var request = new InstanceRefreshRequest(80) { CheckpointPercentages = [25, 100], CheckpointDelaySeconds = 600, AutoRollback = true, LaunchTemplateVersion = "5" };

        var result = await Operations().StartInstanceRefreshAsync(Operator, Web, request);

        Assert.Equal(ActionStatus.Executed, result.Result!.Status);
        Assert.Equal(["start-refresh web min healthy 80%, warm-up group default, checkpoints 25/100% with 600 s delay, to launch template version 5, auto rollback"], _scaling.Calls);
    }

    [Fact]
    public async Task Rollback_RunningRefreshWithVersion_RunsThroughThePipeline_AndAuditsTheRequestId()
    {
        _scaling.Refreshes[Web] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.InProgress, Make.Now, null, 50, 1) { DesiredLaunchTemplateVersion = "5", StatusReason = "Waiting at checkpoint 50%." }];
        Assert.True(_scaling.Refreshes[Web][0].AtCheckpoint);

        var result = await Operations().RollbackInstanceRefreshAsync(Operator, Web, "bad build");

        Assert.Equal(ActionStatus.Executed, result.Result!.Status);
        Assert.Equal(["rollback-refresh web"], _scaling.Calls);
        var audit = Assert.Single(_harness.Audit.Events, e => e.Action == ActionKind.RollbackInstanceRefresh.Name && e.Outcome == AuditOutcome.Succeeded);
        Assert.Equal("req-1", audit.AwsRequestId);
    }

    [Theory]
    [InlineData(null, null, "No instance refresh is running")]
    [InlineData(InstanceRefreshStatus.InProgress, null, "named no launch template version")]
    [InlineData(InstanceRefreshStatus.RollbackInProgress, "5", "already rolling back")]
    [InlineData(InstanceRefreshStatus.Cancelling, "5", "being cancelled")]
    public async Task Rollback_WhenAwsCouldNot_IsRefusedWithAMessage_AndNothingIsSent(InstanceRefreshStatus? status, string? version, string message)
    {
        if (status is { } s)
        {
            _scaling.Refreshes[Web] = [new InstanceRefresh("ir-1", s, Make.Now, null, 50, 1) { DesiredLaunchTemplateVersion = version }];
        }

        var result = await Operations().RollbackInstanceRefreshAsync(Operator, Web);

        Assert.Null(result.Result);
        Assert.Contains(message, result.Problems[ScalingOperations.GroupField], StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public async Task Rollback_RefreshEndedBeforeItRuns_ExecutorRefuses()
    {
        var executor = new ScalingExecutor(_scaling);
        var target = (await executor.ResolveAsync(ActionKind.RollbackInstanceRefresh, Web.AsTarget, CancellationToken.None))!;
        _scaling.Refreshes[Web] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.Successful, Make.Now, Make.Now, 100, 0) { DesiredLaunchTemplateVersion = "5" }];

        var run = await executor.ExecuteAsync(ActionKind.RollbackInstanceRefresh, [target], new Dictionary<string, string>(), "k", CancellationToken.None);

        Assert.False(run.Succeeded);
        Assert.Equal("No instance refresh is running on web.", run.Summary);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public async Task EnableMetricsCollection_RunsThroughThePipelineWithTheCapacityMetrics_ThenIsRefusedAsAlreadyOn()
    {
        var operations = Operations();
        Assert.False((await _scaling.FindGroupAsync(Web))!.CollectsCapacityMetrics);

        var result = await operations.EnableMetricsCollectionAsync(Operator, Web);

        Assert.Equal(ActionStatus.Executed, result.Result!.Status);
        Assert.Equal([$"enable-metrics web {string.Join(",", GroupMetrics.Enabled)}"], _scaling.Calls);
        Assert.Contains("GroupDesiredCapacity", GroupMetrics.Enabled);
        Assert.Contains("GroupInServiceInstances", GroupMetrics.Enabled);
        var audit = Assert.Single(_harness.Audit.Events, e => e.Action == ActionKind.EnableMetricsCollection.Name && e.Outcome == AuditOutcome.Succeeded);
        Assert.Equal("req-1", audit.AwsRequestId);

        var again = await operations.EnableMetricsCollectionAsync(Operator, Web);

        Assert.Null(again.Result);
        Assert.Contains("already enabled", again.Problems[ScalingOperations.GroupField], StringComparison.Ordinal);
        Assert.Single(_scaling.Calls);
    }

    [Fact]
    public async Task EnableMetricsCollection_Viewer_IsRefused_AndNothingIsSent()
    {
        var result = await Operations().EnableMetricsCollectionAsync(_harness.Viewer.AsActor(Channel.Web), Web);

        Assert.NotEqual(ActionStatus.Executed, result.Result!.Status);
        Assert.Empty(_scaling.Calls);
        Assert.Equal("scaling.metrics.enable", ActionKind.EnableMetricsCollection.Name);
        Assert.Equal("scaling.refresh.rollback", ActionKind.RollbackInstanceRefresh.Name);
        Assert.Same(ActionKind.RollbackInstanceRefresh, ActionKind.Find("scaling.refresh.rollback"));
    }
}
