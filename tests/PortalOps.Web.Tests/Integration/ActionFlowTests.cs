using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The action pipeline in the real host: database, Hangfire, Sandbox account, audit chain.</summary>
public sealed class ActionFlowTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Submit_Viewer_RefusedAuditedAndNothingChanges()
    {
        var viewer = await portal.CreateUserAsync("flow-viewer", Role.Viewer);
        var target = await FirstAsync(InstanceState.Running, "us-east-1");

        var result = await SubmitAsync(viewer, ActionKind.StopInstances, target);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Equal(InstanceState.Running, (await FindAsync(target)).State);
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "instances.stop", Outcome: AuditOutcome.Denied, ActorName: "flow-viewer" });
    }

    [Fact]
    public async Task Submit_OperatorOutsideScope_Refused()
    {
        var op = await portal.CreateUserAsync("flow-scoped", Role.Operator, "000000000000/us-east-1");
        var target = await FirstAsync(InstanceState.Running, "eu-west-1");

        var result = await SubmitAsync(op, ActionKind.StopInstances, target);

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("outside", result.Message, StringComparison.Ordinal);
        Assert.Equal(InstanceState.Running, (await FindAsync(target)).State);
    }

    [Fact]
    public async Task Submit_OperatorStop_RunsAtOnceAndIsAuditedWithRequestId()
    {
        var op = await portal.CreateUserAsync("flow-operator", Role.Operator);
        var target = await FirstAsync(InstanceState.Running, "eu-west-1");

        var result = await SubmitAsync(op, ActionKind.StopInstances, target);

        Assert.Equal(ActionStatus.Executed, result.Status);
        Assert.Equal(InstanceState.Stopping, (await FindAsync(target)).State);
        portal.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(InstanceState.Stopped, (await FindAsync(target)).State);
        var record = Assert.Single(await portal.AuditAsync(), r => r.Event is { Action: "instances.stop", ActorName: "flow-operator" });
        Assert.Equal(AuditOutcome.Succeeded, record.Event.Outcome);
        Assert.StartsWith("sandbox-", record.Event.AwsRequestId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_OperatorThenApprover_ApprovedJobTerminatesAndEveryStepIsAudited()
    {
        var op = await portal.CreateUserAsync("flow-requester", Role.Operator);
        var approver = await portal.CreateUserAsync("flow-approver", Role.Approver);
        var target = await FirstAsync(InstanceState.Stopped, "us-east-1");

        var requested = await SubmitAsync(op, ActionKind.TerminateInstances, target);
        Assert.Equal(ActionStatus.PendingApproval, requested.Status);
        Assert.Equal(InstanceState.Stopped, (await FindAsync(target)).State);

        var selfApproval = await DecideAsync(op, requested.ApprovalId!.Value, approve: true);
        Assert.Equal(ActionStatus.Refused, selfApproval.Status);

        var decided = await DecideAsync(approver, requested.ApprovalId!.Value, approve: true);
        Assert.Equal(ActionStatus.Decided, decided.Status);

        var executed = await WaitForApprovalAsync(requested.ApprovalId!.Value, ApprovalStatus.Executed);
        Assert.Equal("flow-approver", executed.DecidedByName);
        Assert.Equal(InstanceState.ShuttingDown, (await FindAsync(target)).State);
        portal.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(InstanceState.Terminated, (await FindAsync(target)).State);

        // The job records the outcome on the request, then appends the audit record: wait for both.
        var audit = await portal.AuditAsync();
        for (var tries = 0; tries < 100 && !audit.Any(r => r.Event.Action == "instances.terminate"); tries++)
        {
            await Task.Delay(50);
            audit = await portal.AuditAsync();
        }

        var target_ = $"approval:{requested.ApprovalId}";
        Assert.Contains(audit, r => r.Event is { Action: "approval.requested", Outcome: AuditOutcome.Pending, ActorName: "flow-requester" } && r.Event.Target == target_);
        Assert.Contains(audit, r => r.Event is { Action: "approval.approve", Outcome: AuditOutcome.Denied, ActorName: "flow-requester" } && r.Event.Target == target_);
        Assert.Contains(audit, r => r.Event is { Action: "approval.approve", Outcome: AuditOutcome.Succeeded, ActorName: "flow-approver" } && r.Event.Target == target_);
        Assert.Contains(audit, r => r.Event is { Action: "instances.terminate", Outcome: AuditOutcome.Succeeded, Channel: Channel.Job } && r.Event.Target.Contains(target.InstanceId, StringComparison.Ordinal));
        var log = portal.Services.GetRequiredService<PortalOps.Jobs.Persistence.EfAuditLog>();
        var verification = await AuditChain.VerifyAsync(ReadChain(), portal.Services.GetRequiredService<AuditKey>(), await log.ReadAnchorAsync(), null, null);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task Launch_SixInstancesApprovedByAnother_TheJobLaunchesExactlyTheStoredConfigurationOnce()
    {
        var op = await portal.CreateUserAsync("flow-launcher", Role.Operator);
        var approver = await portal.CreateUserAsync("flow-launch-approver", Role.Approver);
        var scope = new CloudScope("000000000000", "us-east-1");
        var image = (await portal.Services.GetRequiredService<Domain.Provisioning.IImageCatalog>().LatestAsync(scope)).First(i => i.Architecture == "x86_64");
        var subnet = (await portal.Services.GetRequiredService<ICloudResources>().SubnetsAsync(scope)).First(s => s.AvailabilityZone == "us-east-1b");
        var spec = new Domain.Provisioning.LaunchSpec
        {
            AccountId = scope.AccountId, Region = scope.Region, AvailabilityZone = "us-east-1b", InstanceType = "t3.small", ImageId = image.ImageId,
            SubnetId = subnet.SubnetId, VolumeSizeGiB = 12, Name = "flow-bulk", Tags = new Dictionary<string, string> { ["team"] = "data" }, Count = 6,
        };

        ActionResult requested;
        using (var s1 = portal.Services.CreateScope())
        {
            requested = await s1.ServiceProvider.GetRequiredService<ActionPipeline>().SubmitAsync(op.AsActor(Channel.Web), spec.ToActionRequest("flow-bulk-key"));
        }

        Assert.Equal(ActionStatus.PendingApproval, requested.Status);
        Assert.Equal(ActionStatus.Decided, (await DecideAsync(approver, requested.ApprovalId!.Value, approve: true)).Status);
        var executed = await WaitForApprovalAsync(requested.ApprovalId!.Value, ApprovalStatus.Executed);

        var made = (await portal.Services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { Text = "flow-bulk", PageSize = 50 })).Items;
        Assert.Equal(6, made.Count);
        Assert.All(made, i =>
        {
            Assert.Equal(("t3.small", "us-east-1b", subnet.SubnetId, "data"), (i.InstanceType, i.AvailabilityZone, i.SubnetId, i.Tags["team"]));
            Assert.Equal(12, Assert.Single(i.Volumes).SizeGiB);
        });
        Assert.StartsWith("Launched 6 instance(s)", executed.Outcome, StringComparison.Ordinal);
        // The job records the outcome on the request first, then appends the audit record: wait for it.
        bool Launched(AuditRecord r) => r.Event is { Action: "instances.launch", Outcome: AuditOutcome.Succeeded, Channel: Channel.Job } && r.Event.Target.Contains(made[0].InstanceId, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await portal.AuditAsync()).Any(Launched) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Contains(await portal.AuditAsync(), Launched);
    }

    [Fact]
    public async Task Decide_ForgedApprovalId_NotFoundAndAudited()
    {
        var approver = await portal.CreateUserAsync("flow-forger", Role.Approver);
        var forged = Guid.NewGuid();

        var result = await DecideAsync(approver, forged, approve: true);

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Contains(await portal.AuditAsync(), r => r.Event is { Action: "approval.approve", Outcome: AuditOutcome.Denied, ActorName: "flow-forger" } && r.Event.Target == $"approval:{forged}");
    }

    private async Task<ActionResult> SubmitAsync(PortalUser user, ActionKind kind, InstanceRef target)
    {
        using var scope = portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ActionPipeline>().SubmitAsync(user.AsActor(Channel.Web), new ActionRequest(kind, [target]));
    }

    private async Task<ActionResult> DecideAsync(PortalUser user, Guid id, bool approve)
    {
        using var scope = portal.Services.CreateScope();
        var pipeline = scope.ServiceProvider.GetRequiredService<ActionPipeline>();
        return approve ? await pipeline.ApproveAsync(user.AsActor(Channel.Web), id, null) : await pipeline.DenyAsync(user.AsActor(Channel.Web), id, "no");
    }

    private async Task<ApprovalRequest> WaitForApprovalAsync(Guid id, ApprovalStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var request = await portal.Services.GetRequiredService<IApprovalStore>().FindAsync(id);
            if (request?.Status == status)
            {
                return request;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Approval {id} is {request?.Status}, not {status}, after 30 s.");
            await Task.Delay(100);
        }
    }

    private async Task<InstanceRef> FirstAsync(InstanceState state, string region)
    {
        // Each test takes a different instance, so tests in this class do not share targets.
        var page = await portal.Services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { State = state, Region = region, PageSize = 50, SortBy = InstanceSort.InstanceId });
        lock (Taken)
        {
            var pick = page.Items.First(i => Taken.Add(i.Ref));
            return pick.Ref;
        }
    }

    private static readonly HashSet<InstanceRef> Taken = [];

    private async Task<Instance> FindAsync(InstanceRef target) => (await portal.Services.GetRequiredService<IInventory>().FindAsync(target))!;

    private IAsyncEnumerable<AuditRecord> ReadChain() => portal.Services.GetRequiredService<IAuditLog>().ReadChainAsync();
}
