using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Actions;

/// <summary>An <see cref="ActionPipeline"/> over in-memory fakes, with a small fleet and a cast of users.</summary>
internal sealed class PipelineHarness
{
    public PipelineHarness(ApprovalPolicy? policy = null, IEnumerable<IActionExecutor>? executors = null, IEnumerable<IApprovalCondition>? conditions = null)
    {
        Audit = new InMemoryAuditLog(Clock);
        Policies = new FixedApprovalPolicyProvider(policy ?? ApprovalPolicy.Default);
        Inventory = new FakeInventory([Web1, Web2, DevDb, .. Bulk]);
        foreach (var user in new[] { Viewer, Operator, Alice, Bob, Carol, Dave, Erin })
        {
            Users.AddAsync(user).GetAwaiter().GetResult();
        }

        Erin.Disable();
        Pipeline = new ActionPipeline(Inventory, executors ?? [new InstanceActionExecutor(Compute)], Policies, Approvals, Scheduler, Audit, Notifier, Users, Clock, Ledger, conditions);
    }

    public static Instance Web1 { get; } = Make.Instance("i-0web1", Make.ProdAccount, "eu-west-1", "web-1", tags: ["env=prod", "team=web"]);

    public static Instance Web2 { get; } = Make.Instance("i-0web2", Make.ProdAccount, "eu-west-1", "web-2", tags: ["env=prod", "team=web"]);

    public static Instance DevDb { get; } = Make.Instance("i-0devdb", Make.DevAccount, "us-east-1", "db-dev", tags: ["env=dev"]);

    /// <summary>Eight more web servers in the production account, for bulk actions.</summary>
    public static IReadOnlyList<Instance> Bulk { get; } =
        Enumerable.Range(1, 8).Select(n => Make.Instance($"i-0bulk{n}", Make.ProdAccount, "eu-west-1", $"bulk-{n}", tags: ["env=prod"])).ToList();

    public FakeTimeProvider Clock { get; } = new(Make.Now);

    public FakeInventory Inventory { get; }

    public RecordingCompute Compute { get; } = new();

    public InMemoryApprovalStore Approvals { get; } = new();

    public InMemoryAuditLog Audit { get; }

    public RecordingNotifier Notifier { get; } = new();

    public RecordingScheduler Scheduler { get; } = new();

    public InMemoryUserStore Users { get; } = new();

    public InMemoryActionLedger Ledger { get; } = new();

    public FixedApprovalPolicyProvider Policies { get; }

    public ActionPipeline Pipeline { get; }

    public PortalUser Viewer { get; } = Make.User("vera", Role.Viewer, "*/*");

    /// <summary>Operator in the production account only.</summary>
    public PortalUser Operator { get; } = Make.User("olga", Role.Operator, $"{Make.ProdAccount}/*");

    /// <summary>Approver everywhere.</summary>
    public PortalUser Alice { get; } = Make.User("alice", Role.Approver, "*/*");

    /// <summary>Approver for the production account's eu-west-1.</summary>
    public PortalUser Bob { get; } = Make.User("bob", Role.Approver, $"{Make.ProdAccount}/eu-west-1");

    /// <summary>Approver for the dev account only: out of scope for production requests.</summary>
    public PortalUser Carol { get; } = Make.User("carol", Role.Approver, $"{Make.DevAccount}/*");

    /// <summary>Admin everywhere.</summary>
    public PortalUser Dave { get; } = Make.User("dave", Role.Admin, "*/*");

    /// <summary>A disabled approver everywhere.</summary>
    public PortalUser Erin { get; } = Make.User("erin", Role.Approver, "*/*");

    public static ActionRequest Request(ActionKind kind, params Instance[] targets) => new(kind, targets.Select(t => t.Ref).ToList(), "maintenance");

    public Task<ActionResult> SubmitAsync(PortalUser user, ActionKind kind, params Instance[] targets) =>
        Pipeline.SubmitAsync(user.AsActor(Channel.Web), Request(kind, targets));

    /// <summary>Submits a terminate of web-1 as the operator and returns the approval id.</summary>
    public async Task<Guid> RequestTerminateAsync()
    {
        var result = await SubmitAsync(Operator, ActionKind.TerminateInstances, Web1);
        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        return result.ApprovalId!.Value;
    }
}
