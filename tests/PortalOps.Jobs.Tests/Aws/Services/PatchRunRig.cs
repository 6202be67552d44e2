using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>
/// A patch run rig on moto: the group "web" (tag Patch Group=web) and one "db" instance launched on moto, the portal's stores on a
/// test database, its SSM and EC2 adapters behind a <see cref="LoopbackProxy"/> (which counts every call and carries the
/// <see cref="SsmPatchingStub"/> for the SSM reads moto lacks), a maintenance window open now, and a fake clock. The health gate is
/// <see cref="MonitoringHealthGate"/> over the stored alerts and the live EC2 status (DescribeInstanceStatus on moto).
/// </summary>
internal sealed class PatchRunRig : IAsyncDisposable
{
    public static readonly PortalUser Owner = new(Builders.Approver.UserId, "alice", "alice", Role.Approver, [Scope.Everything], Builders.Epoch.AddDays(-30));

    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private readonly AmazonSimpleSystemsManagementClient _motoSsm;
    private readonly ServiceProvider _node;
    private readonly RecordingScheduler _scheduler = new();
    private readonly IRemoteCommands _commands;
    private readonly TestDatabase _database;

    private PatchRunRig(LoopbackProxy proxy, SsmPatchingStub stub, AmazonSimpleSystemsManagementClient motoSsm, ServiceProvider node, TestDatabase database, List<string> web)
    {
        Proxy = proxy;
        Stub = stub;
        _motoSsm = motoSsm;
        _node = node;
        _database = database;
        Web = web;
        _commands = node.GetRequiredService<IRemoteCommands>();
        Live = node.GetRequiredService<IInstanceStatusReader>();
        Runs = new EfPatchRunStore(database.Contexts);
        Catalog = new EfPatchCatalog(database.Contexts);
        Windows = new EfMaintenanceWindowStore(database.Contexts);
        Approvals = new EfApprovalStore(database.Contexts);
        Metrics = new EfMetricStore(database.Contexts);
        Alerts = new EfAlertStore(database.Contexts);
        Users = new EfUserStore(database.Contexts, database.Secrets);
        Gate = new MonitoringHealthGate(Metrics, Alerts, Live);
        Pipeline = new ActionPipeline(node.GetRequiredService<IInventory>(), [new PatchInstallExecutor(Runs)], new ApprovalPolicyProvider(Options.Create(new ApprovalOptions())),
            Approvals, _scheduler, new EfAuditLog(new PortalDbContextFactory(database.Database), Clock, Key), new NoNotifier(), Users, Clock,
            new EfActionLedger(new PortalDbContextFactory(database.Database)));
        Starter = new PatchRuns(Runs, Catalog, node.GetRequiredService<IInventory>(), _commands, Windows, Pipeline, Clock);
        Engine = NewEngine();
    }

    public FakeTimeProvider Clock { get; } = new(Builders.Epoch.AddMinutes(1));

    public LoopbackProxy Proxy { get; }

    public SsmPatchingStub Stub { get; }

    /// <summary>The group's instances (tag Patch Group=web) in launch order.</summary>
    public List<string> Web { get; }

    public EfPatchRunStore Runs { get; }

    public EfPatchCatalog Catalog { get; }

    public EfMaintenanceWindowStore Windows { get; }

    public EfApprovalStore Approvals { get; }

    public EfMetricStore Metrics { get; }

    public EfAlertStore Alerts { get; }

    public EfUserStore Users { get; }

    public ActionPipeline Pipeline { get; }

    public PatchRuns Starter { get; }

    public PatchRunEngine Engine { get; }

    /// <summary>The portal's EC2 status reader, through the proxy to moto.</summary>
    public IInstanceStatusReader Live { get; }

    public MonitoringHealthGate Gate { get; }

    public RecordingNotifier Notifier { get; } = new();

    public static async Task<PatchRunRig> StartAsync(MotoServer moto, TestDatabase database, int web, int windowHours = 2)
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var group = await MotoAws.LaunchAsync(ec2, web, "web", new Dictionary<string, string> { ["Patch Group"] = "web" });
        var other = await MotoAws.LaunchAsync(ec2, 1, "db", new Dictionary<string, string> { ["Patch Group"] = "db" });
        var proxy = await LoopbackProxy.StartAsync(moto.Url);
        PatchRunRig? rig = null;
        var motoSsm = new AmazonSimpleSystemsManagementClient(new Amazon.Runtime.BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = moto.Url.ToString(), AuthenticationRegion = "us-east-1" });
        var stub = new SsmPatchingStub
        {
            // ListCommandInvocations answers for the instances the command was sent to, nothing else.
            CommandTargets = id => rig!.Sent().Single(c => c.CommandId == id).InstanceIds,
        };
        stub.InstanceIds.AddRange(group.Concat(other));
        stub.Install(proxy);
        rig = new PatchRunRig(proxy, stub, motoSsm, MotoAws.Provider(proxy.Url), database, group);

        await Builders.AddPeopleAsync(rig.Users);
        var now = rig.Clock.GetUtcNow();
        var baseline = PatchBaseline.Create(new PatchBaselineDraft("al2023-security", "AMAZON_LINUX_2023", ["Security", "Bugfix"], ["Critical", "Important"], 7, [], []), Builders.Approver, now);
        await rig.Catalog.AddVersionAsync(baseline);
        await rig.Catalog.SaveGroupAsync(PatchGroup.Create("web", "Patch Group", "web", new Dictionary<string, Guid> { ["AMAZON_LINUX_2023"] = baseline.Id }));
        if (windowHours > 0)
        {
            await rig.Windows.AddAsync(MaintenanceWindow.Create("Patch night", new RuleScope(ScopeKind.Account, MotoServer.AccountId), null, now.AddMinutes(-5), now.AddHours(windowHours),
                Builders.Requester, now));
        }

        return rig;
    }

    public PatchRunEngine NewEngine() =>
        new(Runs, _commands, Gate, new NoRebootPreparation(), Notifier, Approvals, Clock);

    public async Task<PatchRun> StartAsync(int canary, int batch, string? key = null)
    {
        var start = await Starter.StartAsync(Builders.Requester, new PatchRunRequest("web", canary, batch, RebootPolicy.RebootIfNeeded, 10, key));
        Assert.True(start.Result.Status == ActionStatus.PendingApproval, start.Result.Message);
        return start.Run!;
    }

    public async Task ApproveAsync(PatchRun run, bool expectApproved = true)
    {
        if (expectApproved)
        {
            var approved = await Pipeline.ApproveAsync(Builders.Approver, run.ApprovalId!.Value, "ok");
            Assert.True(approved.IsSuccess, approved.Message);
        }

        foreach (var id in _scheduler.Enqueued.ToList())
        {
            await Pipeline.ExecuteApprovedAsync(id);
        }

        Assert.Equal(PatchRunStatus.Approved, (await RunAsync(run.Id)).Status);
    }

    public async Task<PatchRun> RunAsync(Guid id) => (await Runs.FindAsync(id))!;

    /// <summary>
    /// The AWS-RunPatchBaseline installs moto accepted: the instance ids and parameters as sent on the wire (the proxy keeps each
    /// request with moto's answer), each checked against moto's ListCommands for its command id. moto's own InstanceIds cannot be
    /// used: with no Targets it adds every instance of the region to a command.
    /// </summary>
    public async Task<List<Install>> InstallsOnMotoAsync()
    {
        var installs = new List<Install>();
        foreach (var sent in Sent())
        {
            if (sent.Operation != "Install")
            {
                continue;
            }

            var onMoto = Assert.Single((await _motoSsm.ListCommandsAsync(new ListCommandsRequest { CommandId = sent.CommandId })).Commands);
            Assert.Equal((PatchRunEngine.Document, "Install"), (onMoto.DocumentName, onMoto.Parameters["Operation"].Single()));
            installs.Add(sent);
        }

        return installs;
    }

    /// <summary>Every SendCommand moto answered, as the proxy saw it: the ids asked for and the command id moto gave.</summary>
    public List<Install> Sent() =>
        Proxy.RecordedAnswers.Where(a => a.Target == "AmazonSSM.SendCommand").Select(a =>
        {
            var request = System.Text.Json.Nodes.JsonNode.Parse(a.Body)!;
            var answer = System.Text.Json.Nodes.JsonNode.Parse(a.Answer)!;
            return new Install(answer["Command"]!["CommandId"]!.GetValue<string>(),
                request["InstanceIds"]!.AsArray().Select(n => n!.GetValue<string>()).ToList(),
                request["Parameters"]!["Operation"]![0]!.GetValue<string>(),
                request["Parameters"]!["RebootOption"]?[0]?.GetValue<string>());
        }).ToList();

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        _motoSsm.Dispose();
        await Proxy.DisposeAsync();
    }

    public sealed record Install(string CommandId, List<string> InstanceIds, string Operation, string? RebootOption);

    public sealed class RecordingScheduler : IActionScheduler
    {
        public List<Guid> Enqueued { get; } = [];

        public void EnqueueApproved(Guid approvalId) => Enqueued.Add(approvalId);
    }

    public sealed class NoNotifier : INotifier
    {
        public Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    public sealed class RecordingNotifier : IPatchRunNotifier
    {
        public List<string> Changes { get; } = [];

        public Task ChangedAsync(PatchRun run, CancellationToken cancellationToken = default)
        {
            lock (Changes)
            {
                Changes.Add($"{run.Status}: {run.Progress()}");
            }

            return Task.CompletedTask;
        }
    }
}
