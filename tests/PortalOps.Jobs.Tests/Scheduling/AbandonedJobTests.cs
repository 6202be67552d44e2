using System.Collections.Concurrent;
using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Scheduling;

/// <summary>
/// A worker that stops answering in the middle of a job: Hangfire's PostgreSQL storage hands the job to another worker once its
/// hold has not been renewed for <c>Jobs:AbandonedJobTimeout</c>, and the second run does not act again.
/// </summary>
[Trait("Category", "Peer")]
[Collection(HangfireCollection.Name)]
public sealed class AbandonedJobTests : IAsyncLifetime
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(5);

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreatePostgresAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task WorkerCutOffMidCall_AnotherWorkerRunsTheJobAfterTheTimeout_AndDoesNotCallAgain()
    {
        // Worker A reaches PostgreSQL through a relay that can be cut, as if its process were killed.
        var direct = new NpgsqlConnectionStringBuilder(_database.Database.ConnectionString);
        await using var relay = new TcpCutProxy(new IPEndPoint(IPAddress.Loopback, direct.Port));
        var relayed = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = relay.Port, Timeout = 3 };
        var timeout = new Dictionary<string, string?> { ["Jobs:AbandonedJobTimeout"] = AbandonedAfter.ToString() };

        using var stuck = new HangingCompute();
        var workerA = TestHost.Build(_database, "worker", stuck, new Dictionary<string, string?>(timeout) { ["ConnectionStrings:PortalOps"] = relayed.ConnectionString });
        await workerA.StartAsync();
        var request = Builders.PendingStop(Builders.Epoch);
        await Builders.AddPeopleAsync(workerA.Services.GetRequiredService<PortalOps.Domain.Security.IUserStore>());
        await workerA.Services.GetRequiredService<IApprovalStore>().AddAsync(request);
        await using (var scope = workerA.Services.CreateAsyncScope())
        {
            var decided = await scope.ServiceProvider.GetRequiredService<ActionPipeline>().ApproveAsync(Builders.Approver, request.Id, "ok");
            Assert.Equal(ActionStatus.Decided, decided.Status);
        }

        // A runs the job and is inside the AWS call when it is cut off.
        Assert.True(await stuck.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "worker A never started the call");
        var monitor = workerA.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        // Other jobs (a scan, a sweep) may be running on A at the same moment: take the approved action's.
        var (jobId, processingA) = Assert.Single(monitor.ProcessingJobs(0, 100), j => j.Value.Job?.Type == typeof(ExecuteApprovedActionJob));
        relay.Cut();
        var cutAt = DateTime.UtcNow;

        // Worker B on the same database, reached directly.
        var calledByB = new FakeCompute();
        using var workerB = TestHost.Build(_database, "worker", calledByB, timeout);
        await workerB.StartAsync();
        var storageB = workerB.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await TestHost.WaitUntilAsync(
            () => Task.FromResult(storageB.JobDetails(jobId).History.FirstOrDefault()?.StateName == "Succeeded"),
            TimeSpan.FromSeconds(90),
            "worker B to run the abandoned job");

        // Hangfire ran the same job a second time, on B, and only after A's hold had lapsed.
        var processing = storageB.JobDetails(jobId).History.Where(h => h.StateName == "Processing").OrderBy(h => h.CreatedAt).ToList();
        Assert.Equal(2, processing.Count);
        Assert.Equal(processingA.ServerId, processing[0].Data["ServerId"]);
        Assert.NotEqual(processingA.ServerId, processing[1].Data["ServerId"]);
        Assert.True(processing[1].CreatedAt >= cutAt.AddSeconds(2), $"B took the job {(processing[1].CreatedAt - cutAt).TotalSeconds:0.0} s after A was cut off, before A's hold could lapse");

        // The second run found the request claimed by A's run and did not call AWS again.
        Assert.Single(stuck.Calls);
        Assert.Empty(calledByB.Calls);
        var approvals = workerB.Services.GetRequiredService<IApprovalStore>();
        Assert.Equal(ApprovalStatus.Executing, (await approvals.FindAsync(request.Id))!.Status);

        // Once A's claim has been silent past the sweeper's limit, the request is settled without a second call.
        ((FakeTimeProvider)workerB.Services.GetRequiredService<TimeProvider>()).Advance(TimeSpan.FromMinutes(5));
        await using (var scope = workerB.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<ActionPipeline>().RecoverStrandedAsync());
        }

        var settled = (await approvals.FindAsync(request.Id))!;
        Assert.Equal(ApprovalStatus.Failed, settled.Status);
        Assert.Contains("stopped", settled.Outcome, StringComparison.Ordinal);
        Assert.Empty(calledByB.Calls);
        await workerB.StopAsync();

        // A is never heard from again; release its call so the test process does not keep the thread.
        stuck.Release();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await workerA.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        workerA.Dispose();
    }

    /// <summary>An AWS call that does not come back until released.</summary>
    private sealed class HangingCompute : ICompute, IDisposable
    {
        private readonly CancellationTokenSource _release = new();
        private readonly SemaphoreSlim _entered = new(0);

        public ConcurrentQueue<IReadOnlyList<InstanceRef>> Calls { get; } = new();

        public SemaphoreSlim Entered => _entered;

        public async Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue(targets);
            _entered.Release();
            await Task.Delay(Timeout.Infinite, _release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            throw new OperationCanceledException("The node stopped.");
        }

        public void Release() => _release.Cancel();

        public void Dispose()
        {
            _release.Cancel();
            _release.Dispose();
            _entered.Dispose();
        }
    }
}
