using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Approvals;
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

    private static async Task RunAsync<TJob>(IServiceProvider services, Func<TJob, Task> run)
        where TJob : notnull
    {
        await using var scope = services.CreateAsyncScope();
        await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }
}
