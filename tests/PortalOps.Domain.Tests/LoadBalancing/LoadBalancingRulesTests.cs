using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.LoadBalancing;

public sealed class LoadBalancingRulesTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "eu-west-1");

    [Fact]
    public async Task Stop_TheOnlyHealthyTarget_WaitsForApprovalUnderTheLastHealthyTargetRule()
    {
        var compute = new RecordingCompute();
        var (harness, elb) = Harness(compute);
        elb.AddGroup(Scope, "web", TimeSpan.FromSeconds(30), null, null, (PipelineHarness.Web1.InstanceId, TargetHealthState.Healthy), (PipelineHarness.Web2.InstanceId, TargetHealthState.Unhealthy));

        var result = await harness.SubmitAsync(harness.Operator, ActionKind.StopInstances, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.Contains(LastHealthyTargetCondition.RuleName, result.Message, StringComparison.Ordinal);
        Assert.Empty(compute.Calls);
        Assert.DoesNotContain(elb.Log, c => c.StartsWith("DeregisterTargets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_OneOfTwoHealthyTargets_RunsAtOnce()
    {
        var compute = new RecordingCompute();
        var (harness, elb) = Harness(compute);
        elb.AddGroup(Scope, "web", TimeSpan.Zero, null, null, (PipelineHarness.Web1.InstanceId, TargetHealthState.Healthy), (PipelineHarness.Web2.InstanceId, TargetHealthState.Healthy));

        var result = await harness.SubmitAsync(harness.Operator, ActionKind.StopInstances, PipelineHarness.Web1);

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Single(compute.Calls);
    }

    [Fact]
    public async Task Deregister_BadInstanceIds_FailsWithTheirNamesAndCallsNothing()
    {
        var (harness, elb) = Harness();
        var arn = elb.AddGroup(Scope, "web", TimeSpan.Zero, Make.Tags("env=prod"), null, ("i-0aaaaaaaaaaaaaaa1", TargetHealthState.Healthy), ("i-0aaaaaaaaaaaaaaa2", TargetHealthState.Healthy));
        var request = new ActionRequest(ActionKind.DeregisterTargets, [new InstanceRef(Scope.AccountId, Scope.Region, arn)]) { Parameters = new Dictionary<string, string> { ["targets"] = "i-0aaaaaaaaaaaaaaa1, web-1, i-0abc:99999" } };

        var result = await harness.Pipeline.SubmitAsync(harness.Operator.AsActor(Common.Channel.Web), request);

        Assert.Equal(ActionStatus.Failed, result.Status);
        Assert.Contains("'web-1' is not an instance id", result.Message, StringComparison.Ordinal);
        Assert.Contains("port", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(elb.Log, c => c.StartsWith("DeregisterTargets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_ThroughThePipeline_ReachesTheGroupAndAuditsTheRequestId()
    {
        var (harness, elb) = Harness();
        var arn = elb.AddGroup(Scope, "web", TimeSpan.Zero, Make.Tags("env=prod"), null, ("i-0aaaaaaaaaaaaaaa1", TargetHealthState.Healthy));
        var request = new ActionRequest(ActionKind.RegisterTargets, [new InstanceRef(Scope.AccountId, Scope.Region, arn)]) { Parameters = new Dictionary<string, string> { ["targets"] = "i-0aaaaaaaaaaaaaaa2:8080" } };

        var result = await harness.Pipeline.SubmitAsync(harness.Operator.AsActor(Common.Channel.Web), request);

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Contains("RegisterTargets:i-0aaaaaaaaaaaaaaa2", elb.Log);
        var audit = Assert.Single(harness.Audit.Records, r => r.Event.Action == ActionKind.RegisterTargets.Name);
        Assert.StartsWith("elb-req-", audit.Event.AwsRequestId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_ByViewer_IsRefusedAndAudited()
    {
        var (harness, elb) = Harness();
        var arn = elb.AddGroup(Scope, "web", TimeSpan.Zero, Make.Tags("env=prod"));
        var request = new ActionRequest(ActionKind.RegisterTargets, [new InstanceRef(Scope.AccountId, Scope.Region, arn)]) { Parameters = new Dictionary<string, string> { ["targets"] = "i-0aaaaaaaaaaaaaaa2" } };

        var result = await harness.Pipeline.SubmitAsync(harness.Viewer.AsActor(Common.Channel.Web), request);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.DoesNotContain(elb.Log, c => c.StartsWith("RegisterTargets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reads_PersonScopedToStaging_SeesOnlyStagingLoadBalancers()
    {
        var clock = new FakeTimeProvider(Make.Now);
        var elb = new FakeLoadBalancing(clock);
        elb.AddGroup(Scope, "prod-tg", TimeSpan.Zero, Make.Tags("env=prod"), "prod-web", ("i-0aaaaaaaaaaaaaaa1", TargetHealthState.Healthy));
        elb.AddGroup(Scope, "staging-tg", TimeSpan.Zero, Make.Tags("env=staging"), "staging-web", ("i-0aaaaaaaaaaaaaaa2", TargetHealthState.Unhealthy));
        var reads = new LoadBalancingReads(new FixedCloud(Scope), elb, new LoadBalancingSettings(), clock);

        var staging = await reads.QueryAsync(Make.Actor("sam", Role.Viewer, $"{Make.ProdAccount}/*/env=staging"), new LoadBalancerQuery());
        var all = await reads.QueryAsync(Make.Actor("ann", Role.Viewer, "*/*"), new LoadBalancerQuery { OnlyTrouble = true });

        Assert.Equal("staging-web", Assert.Single(staging.Items).LoadBalancer.Name);
        Assert.Null(await reads.FindAsync(Make.Actor("sam", Role.Viewer, $"{Make.ProdAccount}/*/env=staging"), Scope.AccountId, Scope.Region, "prod-web"));
        Assert.Equal("staging-web", Assert.Single(all.Items).LoadBalancer.Name);
        Assert.Equal(1, all.Items[0].GroupsWithoutHealthy);
    }

    [Fact]
    public async Task Watch_GroupLosesItsLastHealthyTarget_TellsOperatorsInScopeOnceThenOnRecovery()
    {
        var clock = new FakeTimeProvider(Make.Now);
        var elb = new FakeLoadBalancing(clock);
        var arn = elb.AddGroup(Scope, "web", TimeSpan.Zero, Make.Tags("env=prod"), "prod-web", ("i-0aaaaaaaaaaaaaaa1", TargetHealthState.Healthy));
        var users = new InMemoryUserStore();
        var inScope = Make.User("olga", Role.Operator, $"{Make.ProdAccount}/*");
        var elsewhere = Make.User("carl", Role.Operator, $"{Make.DevAccount}/*");
        var viewer = Make.User("vera", Role.Viewer, "*/*");
        foreach (var u in new[] { inScope, elsewhere, viewer })
        {
            await users.AddAsync(u);
        }

        var notifier = new RecordingNotifier();
        var watch = new NoHealthyTargetsWatch(new LoadBalancingReads(new FixedCloud(Scope), elb, new LoadBalancingSettings(), clock), users, notifier);

        Assert.Equal(0, await watch.CheckAsync());
        elb.SetHealth(arn, "i-0aaaaaaaaaaaaaaa1", TargetHealthState.Unhealthy);
        Assert.Equal(1, await watch.CheckAsync());
        Assert.Equal(1, await watch.CheckAsync());
        elb.SetHealth(arn, "i-0aaaaaaaaaaaaaaa1", TargetHealthState.Healthy);
        await watch.CheckAsync();

        var sent = notifier.Sent.ToList();
        Assert.Equal(2, sent.Count);
        Assert.Contains("no healthy targets", sent[0].Title, StringComparison.Ordinal);
        Assert.Equal([inScope.Id], sent[0].Recipients);
        Assert.Contains("healthy targets again", sent[1].Title, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i-0123abcd", true)]
    [InlineData("i-0123456789abcdef0:8080", true)]
    [InlineData("i-0123abcd:0", false)]
    [InlineData("web-1", false)]
    [InlineData("i-0123ABCD", false)]
    public void TargetRef_Parse_AcceptsInstanceIdsWithOptionalPort(string text, bool valid) =>
        Assert.Equal(valid, TargetRef.TryParse(text, out _) is not null);

    private static (PipelineHarness Harness, FakeLoadBalancing Elb) Harness() => Harness(new RecordingCompute());

    private static (PipelineHarness Harness, FakeLoadBalancing Elb) Harness(RecordingCompute compute)
    {
        var clock = new FakeTimeProvider(Make.Now);
        var elb = new FakeLoadBalancing(clock);
        var settings = new LoadBalancingSettings();
        var harness = new PipelineHarness(
            executors: [new InstanceActionExecutor(compute), new TargetRegistrationExecutor(elb)],
            conditions: [new LastHealthyTargetCondition(elb, settings)]);
        return (harness, elb);
    }

    private sealed class FixedCloud(CloudScope scope) : Accounts.ICloudProvider
    {
        public string Name => "Test";

        public bool IsSandbox => false;

        public IReadOnlyList<Accounts.CloudAccount> Accounts => [new(scope.AccountId, "prod", [scope.Region])];
    }
}
