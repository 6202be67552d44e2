using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Approvals;

/// <summary>
/// Two nodes (each with its own AWS adapter, as two processes have) run the execution of one approved reboot at the same moment,
/// against moto behind a counting proxy: EC2 is called once.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class ExactlyOnceMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task ExecuteApprovedAsync_TwoNodesAtOnce_RebootsOnce()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var id = (await MotoAws.LaunchAsync(ec2, 1, "api"))[0];
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Latency = TimeSpan.FromMilliseconds(100); // widens the window in which both runs are under way
        await using var node1 = MotoAws.Provider(proxy.Url);
        await using var node2 = MotoAws.Provider(proxy.Url);
        var clock = new FakeTimeProvider(Builders.Epoch.AddMinutes(1));
        var users = new EfUserStore(_database.Contexts, _database.Secrets);
        await Builders.AddPeopleAsync(users);
        var store = new EfApprovalStore(_database.Contexts);

        var target = new InstanceRef(MotoServer.AccountId, "us-east-1", id);
        var found = (await node1.GetRequiredService<IInventory>().FindAsync(target))!;
        var request = new ApprovalRequest(Guid.NewGuid(), ActionKind.RebootInstances, [new ResolvedTarget(found.Ref, found.Name, found.Tags)],
            new Dictionary<string, string>(), Builders.Requester, "Reboots need approval", null, Builders.Epoch, TimeSpan.FromHours(1));
        request.Approve(Builders.Approver, null, Builders.Epoch.AddSeconds(30));
        await store.AddAsync(request);
        proxy.ResetCounts();

        var first = Pipeline(node1, users, clock);
        var second = Pipeline(node2, users, clock);
        var results = await Task.WhenAll(Task.Run(() => first.ExecuteApprovedAsync(request.Id)), Task.Run(() => second.ExecuteApprovedAsync(request.Id)));
        var again = await Pipeline(node1, users, clock).ExecuteApprovedAsync(request.Id);

        Assert.Equal(1, proxy.CallsTo("RebootInstances"));
        Assert.Single(results, r => r.Status == ActionStatus.Executed);
        Assert.Equal(ActionStatus.Conflict, again.Status);
        Assert.Equal(ApprovalStatus.Executed, (await store.FindAsync(request.Id))!.Status);
    }

    private ActionPipeline Pipeline(IServiceProvider node, IUserStore users, TimeProvider clock) => new(
        node.GetRequiredService<IInventory>(),
        [new InstanceActionExecutor(node.GetRequiredService<ICompute>())],
        new ApprovalPolicyProvider(Options.Create(new ApprovalOptions())),
        new EfApprovalStore(_database.Contexts),
        new NoScheduler(),
        new EfAuditLog(new PortalDbContextFactory(_database.Database), clock, Key),
        new NoNotifier(),
        users,
        clock,
        new EfActionLedger(new PortalDbContextFactory(_database.Database)));

    private sealed class NoScheduler : IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }

    private sealed class NoNotifier : INotifier
    {
        public Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
