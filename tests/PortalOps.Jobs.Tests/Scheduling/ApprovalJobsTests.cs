using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Hangfire;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Scheduling;

/// <summary>The jobs as Hangfire's activator runs them: resolved in a scope of the host's container.</summary>
[Collection(HangfireCollection.Name)]
public sealed class ApprovalJobsTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateSqliteAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task ExecuteApprovedActionJob_RunTwice_ActsOnce()
    {
        var compute = new FakeCompute();
        using var host = TestHost.Build(_database, "web", compute);
        await Builders.AddPeopleAsync(host.Services.GetRequiredService<IUserStore>());
        var request = Builders.PendingStop(Builders.Epoch);
        request.Approve(Builders.Approver, null, Builders.Epoch.AddMinutes(1));
        await host.Services.GetRequiredService<IApprovalStore>().AddAsync(request);

        await RunAsync<ExecuteApprovedActionJob>(host.Services, job => job.RunAsync(request.Id, CancellationToken.None));
        await RunAsync<ExecuteApprovedActionJob>(host.Services, job => job.RunAsync(request.Id, CancellationToken.None));

        Assert.Single(compute.Calls);
        Assert.Equal(ApprovalStatus.Executed, (await host.Services.GetRequiredService<IApprovalStore>().FindAsync(request.Id))!.Status);
    }

    [Fact]
    public async Task ExpireApprovalsJob_PastExpiry_ExpiresOnlyDueRequests()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());
        var clock = (FakeTimeProvider)host.Services.GetRequiredService<TimeProvider>();
        var store = host.Services.GetRequiredService<IApprovalStore>();
        var due = Builders.PendingStop(clock.GetUtcNow() - TimeSpan.FromHours(25));
        var fresh = Builders.PendingStop(clock.GetUtcNow());
        await store.AddAsync(due);
        await store.AddAsync(fresh);

        await RunAsync<ExpireApprovalsJob>(host.Services, job => job.RunAsync(CancellationToken.None));

        Assert.Equal(ApprovalStatus.Expired, (await store.FindAsync(due.Id))!.Status);
        Assert.Equal(ApprovalStatus.Pending, (await store.FindAsync(fresh.Id))!.Status);
    }

    [Fact]
    public async Task ExecuteApprovedActionJob_KeyStoredByAnEarlierRun_DoesNotCallThePortAgain()
    {
        var compute = new FakeCompute();
        using var host = TestHost.Build(_database, "web", compute);
        await Builders.AddPeopleAsync(host.Services.GetRequiredService<IUserStore>());
        var request = Builders.PendingStop(Builders.Epoch);
        request.Approve(Builders.Approver, null, Builders.Epoch.AddMinutes(1));
        await host.Services.GetRequiredService<IApprovalStore>().AddAsync(request);

        // An earlier run on another node called the cloud and stored its key, then stopped before the request recorded it.
        var ledger = host.Services.GetRequiredService<IActionLedger>();
        var key = $"{ActionKind.StopInstances.Name}:{request.Id:N}";
        Assert.Null(await ledger.TryClaimAsync(key, ActionKind.StopInstances.Name, Builders.Epoch));
        await ledger.CompleteAsync(key, new ActionExecution(true, "Stop accepted for 2 instance(s).", "req-1"), Builders.Epoch);

        await RunAsync<ExecuteApprovedActionJob>(host.Services, job => job.RunAsync(request.Id, CancellationToken.None));

        Assert.Empty(compute.Calls);
        var stored = (await host.Services.GetRequiredService<IApprovalStore>().FindAsync(request.Id))!;
        Assert.Equal(ApprovalStatus.Executed, stored.Status);
        Assert.Contains("Already carried out", stored.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SweepApprovedActionsJob_ApprovedOverAMinuteAgoWithoutAJob_QueuesItsExecution()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());
        var clock = (FakeTimeProvider)host.Services.GetRequiredService<TimeProvider>();
        var store = host.Services.GetRequiredService<IApprovalStore>();
        var stranded = Builders.PendingStop(clock.GetUtcNow() - TimeSpan.FromMinutes(5));
        stranded.Approve(Builders.Approver, null, clock.GetUtcNow() - TimeSpan.FromMinutes(2));
        var fresh = Builders.PendingStop(clock.GetUtcNow() - TimeSpan.FromMinutes(5));
        fresh.Approve(Builders.Approver, null, clock.GetUtcNow() - TimeSpan.FromSeconds(10));
        await store.AddAsync(stranded);
        await store.AddAsync(fresh);

        await RunAsync<SweepApprovedActionsJob>(host.Services, job => job.RunAsync(CancellationToken.None));

        var monitor = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var queued = Assert.Single(monitor.EnqueuedJobs("default", 0, 10));
        Assert.Equal(nameof(ExecuteApprovedActionJob), queued.Value.Job.Type.Name);
        Assert.Equal(stranded.Id, queued.Value.Job.Args[0]);
    }

    [Fact]
    public async Task ExpireApprovalsJob_MoreThanAThousandDue_ExpiresEveryOne()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());
        var clock = (FakeTimeProvider)host.Services.GetRequiredService<TimeProvider>();
        var store = host.Services.GetRequiredService<IApprovalStore>();
        for (var i = 0; i < 1100; i++)
        {
            await store.AddAsync(Builders.PendingStop(clock.GetUtcNow() - TimeSpan.FromHours(25) - TimeSpan.FromSeconds(i), targets: 1));
        }

        await RunAsync<ExpireApprovalsJob>(host.Services, job => job.RunAsync(CancellationToken.None));

        Assert.Equal(0, await store.CountPendingAsync());
    }

    private static async Task RunAsync<TJob>(IServiceProvider services, Func<TJob, Task> run)
        where TJob : notnull
    {
        await using var scope = services.CreateAsyncScope();
        await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }
}
