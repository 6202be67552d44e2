using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Scheduling;

/// <summary>An approved action queued while no server runs is carried out by the next server on the same storage.</summary>
[Collection(HangfireCollection.Name)]
public abstract class DurableQueueTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task EnqueueApproved_NoServerThenRestart_JobRunsOnNewServer()
    {
        var compute = new FakeCompute();
        var request = Builders.PendingStop(Builders.Epoch);

        // A web node: it takes the decision and queues the execution, but runs no jobs.
        using (var web = TestHost.Build(_database, "web", compute))
        {
            await web.StartAsync();
            await Builders.AddPeopleAsync(web.Services.GetRequiredService<PortalOps.Domain.Security.IUserStore>());
            await web.Services.GetRequiredService<IApprovalStore>().AddAsync(request);
            await using (var scope = web.Services.CreateAsyncScope())
            {
                var result = await scope.ServiceProvider.GetRequiredService<ActionPipeline>().ApproveAsync(Builders.Approver, request.Id, "ok");
                Assert.Equal(ActionStatus.Decided, result.Status);
            }

            var monitor = web.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
            Assert.Equal(1, monitor.EnqueuedCount("default"));
            await Task.Delay(300);
            await web.StopAsync();
        }

        Assert.Empty(compute.Calls);
        Assert.Equal(ApprovalStatus.Approved, (await new EfApprovalStore(_database.Contexts).FindAsync(request.Id))!.Status);

        // A fresh process on the same database and data folder: its server finds the queued job.
        using var worker = TestHost.Build(_database, "worker", compute);
        await worker.StartAsync();
        var approvals = worker.Services.GetRequiredService<IApprovalStore>();
        await TestHost.WaitUntilAsync(
            async () => (await approvals.FindAsync(request.Id))!.Status == ApprovalStatus.Executed,
            Timeout,
            "the approved stop to be executed");
        await worker.StopAsync();

        var call = Assert.Single(compute.Calls);
        Assert.Equal(InstanceAction.Stop, call.Action);
        Assert.Equal(request.Id.ToString("N"), call.IdempotencyKey);
        Assert.Equal(request.Targets.Select(t => t.Ref), call.Targets);
        var inbox = worker.Services.GetRequiredService<IInbox>();
        Assert.Contains((await inbox.ListAsync(Builders.Requester.UserId, false, 0, 10)).Items, i => i.Kind == NotificationKind.ActionCompleted);
    }

    [Fact]
    public async Task RecurringJobs_NodeStarts_ExpiryIsScheduled()
    {
        using var node = TestHost.Build(_database, "web", new FakeCompute());
        await node.StartAsync();

        using var connection = node.Services.GetRequiredService<JobStorage>().GetConnection();
        var recurring = connection.GetRecurringJobs();
        await node.StopAsync();

        Assert.Contains(recurring, job => job.Id == Jobs.Scheduling.RecurringJobs.ExpireApprovals && job.Cron == Cron.Minutely());
        Assert.Contains(recurring, job => job.Id == Jobs.Scheduling.RecurringJobs.SweepApprovals && job.Cron == Cron.Minutely());
    }
}

public sealed class SqliteDurableQueueTests() : DurableQueueTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresDurableQueueTests() : DurableQueueTests(DatabaseProvider.Postgres);

/// <summary>Hangfire keeps some process-wide settings (serializer, log provider); hosts under test take turns.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HangfireCollection
{
    public const string Name = "Hangfire";
}
