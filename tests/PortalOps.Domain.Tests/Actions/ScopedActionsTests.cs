using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Actions;

/// <summary>Actions whose targets are not existing instances: launches (an account, a region and the tags to apply) and resources looked up by their executor.</summary>
public class ScopedActionsTests
{
    private readonly RecordingExecutor _executor = new();
    private readonly PipelineHarness _h;

    public ScopedActionsTests() => _h = new PipelineHarness(executors: [_executor]);

    private static ActionRequest Launch(string account, string region, int count, params string[] tags) =>
        ActionRequest.Launch(new Placement(account, region, Make.Tags(tags), count), new Dictionary<string, string> { ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture), ["instanceType"] = "t3.micro" }, "client-token-1");

    [Fact]
    public async Task Launch_InsideTheOperatorsScope_RunsWithTheCallersKeyAsClientToken()
    {
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), Launch(Make.ProdAccount, "eu-west-1", 2, "env=prod"));

        Assert.Equal(ActionStatus.Executed, result.Status);
        var call = Assert.Single(_executor.Calls);
        Assert.Equal("client-token-1", call.Key);
        var target = Assert.Single(call.Targets);
        Assert.Equal((Make.ProdAccount, "eu-west-1", ResolvedTarget.NewInstancesId), (target.Ref.AccountId, target.Ref.Region, target.Ref.InstanceId));
        Assert.Equal("prod", target.Tags["env"]);
        var audited = Assert.Single(_h.Audit.Events);
        Assert.Equal(("instances.launch", AuditOutcome.Succeeded), (audited.Action, audited.Outcome));
        Assert.Contains("i-0new1", audited.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_InAnAccountOutsideTheScope_IsRefusedAndAudited()
    {
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), Launch(Make.DevAccount, "us-east-1", 1));

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal($"olga may not launch in {Make.DevAccount}/us-east-1: no scope of theirs covers it.", result.Message);
        Assert.Empty(_executor.Calls);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_h.Audit.Events).Outcome);
    }

    [Fact]
    public async Task Launch_WithTagsOutsideATagScope_IsRefused()
    {
        var tagScoped = Make.User("tina", Role.Operator, $"{Make.ProdAccount}/eu-west-1/team=web");
        await _h.Users.AddAsync(tagScoped);

        var refused = await _h.Pipeline.SubmitAsync(tagScoped.AsActor(Channel.Web), Launch(Make.ProdAccount, "eu-west-1", 1, "team=data"));
        var allowed = await _h.Pipeline.SubmitAsync(tagScoped.AsActor(Channel.Web), Launch(Make.ProdAccount, "eu-west-1", 1, "team=web"));

        Assert.Equal(ActionStatus.Refused, refused.Status);
        Assert.Contains("with tags team=data", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ActionStatus.Executed, allowed.Status);
    }

    [Fact]
    public async Task Launch_SixInstances_WaitsForBulkApprovalAndRunsWithTheApprovalIdAsKey()
    {
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), Launch(Make.ProdAccount, "eu-west-1", 6));

        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        Assert.Equal("Launch of 6 instance(s) waits for approval (Bulk actions over 5 instances need approval).", result.Message);
        Assert.Empty(_executor.Calls);
        var approvalId = result.ApprovalId!.Value;
        var request = (await _h.Approvals.FindAsync(approvalId))!;
        Assert.Equal(6, request.TargetCount);
        Assert.StartsWith("Launch 6 × t3.micro", request.Summary, StringComparison.Ordinal);

        await _h.Pipeline.ApproveAsync(_h.Alice.AsActor(Channel.Web), approvalId, null);
        var executed = await _h.Pipeline.ExecuteApprovedAsync(approvalId);

        Assert.Equal(ActionStatus.Executed, executed.Status);
        Assert.Equal(approvalId.ToString("N"), Assert.Single(_executor.Calls).Key);
    }

    [Fact]
    public async Task Launch_WithoutPlacement_IsRefused()
    {
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), new ActionRequest(ActionKind.LaunchInstances, []));
        Assert.Equal(("Choose an account and a region to launch in.", ActionStatus.Refused), (result.Message, result.Status));
    }

    [Fact]
    public async Task Preview_BulkLaunch_NamesTheRuleWithoutActingOrAuditing()
    {
        var preview = await _h.Pipeline.PreviewAsync(_h.Operator.AsActor(Channel.Web), Launch(Make.ProdAccount, "eu-west-1", 8));

        Assert.True(preview.Allowed);
        Assert.Equal("Bulk actions over 5 instances need approval", preview.ApprovalRule);
        Assert.Empty(_executor.Calls);
        Assert.Empty(_h.Audit.Events);
    }

    [Fact]
    public async Task Preview_KnownTargets_JudgesScopeAndRuleWithoutLookups()
    {
        var targets = PipelineHarness.Bulk.Take(6).Select(Make.Target).ToList();

        var bulk = await _h.Pipeline.PreviewAsync(_h.Operator.AsActor(Channel.Web), ActionKind.StopInstances, targets);
        var outside = await _h.Pipeline.PreviewAsync(_h.Operator.AsActor(Channel.Web), ActionKind.StopInstances, [Make.Target(PipelineHarness.DevDb)]);

        Assert.Equal((true, "Bulk actions over 5 instances need approval"), (bulk.Allowed, bulk.ApprovalRule));
        Assert.False(outside.Allowed);
        Assert.Empty(_h.Audit.Events);
    }

    [Fact]
    public async Task DeleteVolume_ResolvedByItsExecutor_IsAuthorizedOnTheVolumesTags()
    {
        var volume = new InstanceRef(Make.ProdAccount, "eu-west-1", "vol-0aaa");
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), new ActionRequest(ActionKind.DeleteVolumes, [volume]));

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Equal(volume, Assert.Single(Assert.Single(_executor.Calls).Targets).Ref);
    }

    [Fact]
    public async Task DeleteVolume_Unknown_IsNotFoundAndAudited()
    {
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), new ActionRequest(ActionKind.DeleteVolumes, [new InstanceRef(Make.ProdAccount, "eu-west-1", "vol-0gone")]));

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Equal($"Volume vol-0gone was not found in {Make.ProdAccount}/eu-west-1.", result.Message);
        Assert.Empty(_executor.Calls);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_h.Audit.Events).Outcome);
    }

    [Theory]
    [InlineData("offhours.schedule.save", "Off-hours schedule office-hours")]
    [InlineData("costs.budget.save", "Budget scope office-hours")]
    public async Task Unknown_ScheduleOrBudget_IsNotFoundNamedAsWhatItIs(string kindName, string expected)
    {
        var kind = ActionKind.Find(kindName)!;
        var result = await _h.Pipeline.SubmitAsync(_h.Operator.AsActor(Channel.Web), new ActionRequest(kind, [new InstanceRef(Make.ProdAccount, "eu-west-1", "office-hours")]));

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Equal($"{expected} was not found in {Make.ProdAccount}/eu-west-1.", result.Message);
        Assert.Empty(_executor.Calls);
    }

    [Fact]
    public void ApprovalRule_Environments_ApplyOnlyToTargetsInThem()
    {
        var rule = new ApprovalRule("Prod changes", []) { Environments = ["prod"] };

        Assert.True(rule.Applies(ActionKind.StopInstances, [Make.Target("i-1", tags: "env=prod")]));
        Assert.True(rule.Applies(ActionKind.StopInstances, [Make.Target("i-1", tags: "Environment=PROD")]));
        Assert.False(rule.Applies(ActionKind.StopInstances, [Make.Target("i-1", tags: "env=dev")]));
    }

    private sealed class RecordingExecutor : IActionExecutor
    {
        public List<(IReadOnlyList<ResolvedTarget> Targets, string Key)> Calls { get; } = [];

        public bool CanExecute(ActionKind kind) => kind == ActionKind.LaunchInstances || kind == ActionKind.DeleteVolumes || kind == ActionKind.SaveOffHoursSchedule || kind == ActionKind.SaveBudget;

        public Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
        {
            Calls.Add((targets, idempotencyKey));
            IReadOnlyList<InstanceRef> created = kind == ActionKind.LaunchInstances ? [new InstanceRef(targets[0].Ref.AccountId, targets[0].Ref.Region, "i-0new1")] : [];
            return Task.FromResult(new ActionExecution(true, $"{kind.Verb} done.", "req-1") { Created = created });
        }

        public Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken) =>
            Task.FromResult(target.InstanceId == "vol-0aaa" ? new ResolvedTarget(target, "data", Make.Tags("env=prod")) : null);
    }
}
