using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Patching;

/// <summary>Patch runs over in-memory fakes: ten web servers in group "web", a window open for two hours, a fake clock.</summary>
internal sealed class PatchingHarness
{
    public PatchingHarness(int instances = 10, bool openWindow = true)
    {
        Fleet = Enumerable.Range(0, instances)
            .Select(n => Make.Instance($"i-{n:000}", tags: ["Patch Group=web", "env=prod"]))
            .Append(Make.Instance("i-other", tags: ["Patch Group=db"]))
            .ToList();
        foreach (var i in Fleet)
        {
            Commands.Agents[i.InstanceId] = "Online";
        }

        Inventory = new FakeInventory(Fleet);
        Audit = new InMemoryAuditLog(Clock);
        Pipeline = new ActionPipeline(Inventory, [new PatchInstallExecutor(Runs)], new FixedApprovalPolicyProvider(new ApprovalPolicy([], TimeSpan.FromHours(24))),
            Approvals, Scheduler, Audit, new RecordingNotifier(), Users, Clock, new InMemoryActionLedger());
        Users.AddAsync(Operator).GetAwaiter().GetResult();
        Users.AddAsync(Approver).GetAwaiter().GetResult();
        Baseline = PatchBaseline.Create(new PatchBaselineDraft("al2023-default", "AMAZON_LINUX_2023", ["Security", "Bugfix"], ["Critical", "Important"], 7, [], []), Approver.AsActor(Channel.Web), Make.Now);
        Catalog.AddVersionAsync(Baseline).GetAwaiter().GetResult();
        Catalog.SaveGroupAsync(PatchGroup.Create("web", "Patch Group", "web", new Dictionary<string, Guid> { ["AMAZON_LINUX_2023"] = Baseline.Id })).GetAwaiter().GetResult();
        if (openWindow)
        {
            Windows.AddAsync(MaintenanceWindow.Create("Tuesday patching", new RuleScope(ScopeKind.Account, Make.ProdAccount), null, Make.Now.AddMinutes(-5), Make.Now.AddHours(2), Operator.AsActor(Channel.Web), Make.Now)).GetAwaiter().GetResult();
        }

        Starter = new PatchRuns(Runs, Catalog, Inventory, Commands, Windows, Pipeline, Clock);
        Engine = NewEngine();
    }

    public FakeTimeProvider Clock { get; } = new(Make.Now);

    public List<Instance> Fleet { get; }

    public FakeInventory Inventory { get; }

    public InMemoryAuditLog Audit { get; }

    public InMemoryPatchRunStore Runs { get; } = new();

    public InMemoryPatchCatalog Catalog { get; } = new();

    public InMemoryWindowStore Windows { get; } = new();

    public InMemoryApprovalStore Approvals { get; } = new();

    public RecordingScheduler Scheduler { get; } = new();

    public InMemoryUserStore Users { get; } = new();

    public FakeRemoteCommands Commands { get; } = new();

    public FakeHealthGate Gate { get; } = new();

    public RecordingRebootPreparation Reboots { get; } = new();

    public RecordingPatchRunNotifier Notifier { get; } = new();

    public ActionPipeline Pipeline { get; }

    public PatchBaseline Baseline { get; }

    public PatchRuns Starter { get; }

    public PatchRunEngine Engine { get; }

    public PortalUser Operator { get; } = Make.User("olga", Role.Operator, $"{Make.ProdAccount}/*");

    public PortalUser Approver { get; } = Make.User("alice", Role.Approver, "*/*");

    public PatchRunEngine NewEngine() => new(Runs, Commands, Gate, Reboots, Notifier, Approvals, Clock);

    public static PatchRunRequest Request(int canary = 10, int batch = 30, RebootPolicy reboot = RebootPolicy.RebootIfNeeded, int quiet = 10, string? key = null) =>
        new("web", canary, batch, reboot, quiet, key);

    public async Task<PatchRun> StartAsync(PatchRunRequest? request = null)
    {
        var start = await Starter.StartAsync(Operator.AsActor(Channel.Web), request ?? Request());
        Assert.Equal(ActionStatus.PendingApproval, start.Result.Status);
        return start.Run!;
    }

    public async Task<PatchRun> StartApprovedAsync(PatchRunRequest? request = null)
    {
        var run = await StartAsync(request);
        var approved = await Pipeline.ApproveAsync(Approver.AsActor(Channel.Web), run.ApprovalId!.Value, "ok");
        Assert.True(approved.IsSuccess, approved.Message);
        foreach (var id in Scheduler.Enqueued)
        {
            await Pipeline.ExecuteApprovedAsync(id);
        }

        return (await Runs.FindAsync(run.Id))!;
    }

    /// <summary>Every instance the installs went to, this far, succeeds.</summary>
    public void SucceedSent()
    {
        foreach (var id in Commands.InstallsSentTo)
        {
            Commands.Outcomes.TryAdd(id, "Success");
        }
    }

    public async Task<PatchRun> RunAsync(Guid id) => (await Runs.FindAsync(id))!;
}
