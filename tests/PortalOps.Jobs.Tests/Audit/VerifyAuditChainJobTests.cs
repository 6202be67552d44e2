using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Audit;
using PortalOps.Jobs.Tests.Fixtures;
using PortalOps.Jobs.Tests.Scheduling;

namespace PortalOps.Jobs.Tests.Audit;

/// <summary>Verify chain as an Admin's background job: its status record, its audit record, its exported checkpoint.</summary>
[Collection(HangfireCollection.Name)]
public sealed class VerifyAuditChainJobTests : IAsyncLifetime
{
    private static readonly Actor Admin = new(Guid.NewGuid(), "dave", Role.Admin, [Scope.Everything], Channel.Web);
    private static readonly Actor Viewer = new(Guid.NewGuid(), "vera", Role.Viewer, [Scope.Everything], Channel.Web);
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateSqliteAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task StartAsync_Viewer_IsRefusedAndAudited()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());
        var verification = host.Services.GetRequiredService<IAuditVerification>();

        Assert.Null(await verification.StartAsync(Viewer));

        Assert.Null(await verification.LatestAsync());
        var denied = Assert.Single((await host.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = "audit.verify" })).Items);
        Assert.Equal((AuditOutcome.Denied, "vera"), (denied.Event.Outcome, denied.Event.ActorName));
    }

    [Fact]
    public async Task RunAsync_IntactChain_RecordsTheResultAuditsItAndExportsACheckpoint()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());
        var log = host.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync(new AuditEvent("rita", null, Channel.Web, "instances.stop", $"i-{i}", AuditOutcome.Succeeded));
        }

        var verification = host.Services.GetRequiredService<IAuditVerification>();
        var started = (await verification.StartAsync(Admin))!;
        Assert.Equal((false, 5L), (started.IsFinished, started.Total));
        var monitor = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.Equal(nameof(VerifyAuditChainJob), Assert.Single(monitor.EnqueuedJobs("default", 0, 10)).Value.Job.Type.Name);

        await RunJobAsync(host.Services, started.Id);

        var done = (await verification.FindAsync(started.Id))!;
        Assert.True(done.IsFinished);
        Assert.Equal((true, 6L, "Intact: 6 records checked."), (done.Intact, done.Checked, done.Result)); // five, and the "started" record
        var audited = (await log.QueryAsync(new AuditQuery { Action = "audit.verify", Outcome = AuditOutcome.Succeeded })).Items;
        Assert.Equal("dave", Assert.Single(audited).Event.ActorName);
        var checkpoint = host.Services.GetRequiredService<AuditCheckpointFile>().Read();
        Assert.Equal(6L, checkpoint!.Sequence);
        Assert.True(checkpoint.IsSignedBy(host.Services.GetRequiredService<AuditKey>()));
    }

    [Fact]
    public async Task RunAsync_TailCutAndAnchorRolledBackAfterACheckpoint_ReportsTheCut()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());
        var log = host.Services.GetRequiredService<IAuditLog>();
        var verification = host.Services.GetRequiredService<IAuditVerification>();
        for (var i = 0; i < 3; i++)
        {
            await log.AppendAsync(new AuditEvent("rita", null, Channel.Web, "instances.stop", $"i-{i}", AuditOutcome.Succeeded));
        }

        await _database.ExecuteSqlAsync("CREATE TABLE \"AnchorCopy\" AS SELECT * FROM \"AuditAnchors\"");
        var first = (await verification.StartAsync(Admin))!; // record 4
        await RunJobAsync(host.Services, first.Id); // record 5, checkpoint at 4

        // Cut everything after record 3 and put back the anchor row as it was then.
        await _database.ExecuteSqlAsync("DELETE FROM \"AuditLog\" WHERE \"Sequence\" > 3");
        await _database.ExecuteSqlAsync("DELETE FROM \"AuditAnchors\"");
        await _database.ExecuteSqlAsync("INSERT INTO \"AuditAnchors\" SELECT * FROM \"AnchorCopy\"");
        await _database.ExecuteSqlAsync("DELETE FROM \"AuditVerifications\"");
        var second = (await verification.StartAsync(Admin))!; // record 4 again, re-anchored at 4 with a different hash
        await RunJobAsync(host.Services, second.Id);

        var done = (await verification.FindAsync(second.Id))!;
        Assert.False(done.Intact);
        Assert.Equal(4, done.FirstBrokenSequence);
        Assert.Contains("differs from the checkpoint exported by an earlier verification", done.Result, StringComparison.Ordinal);
    }

    private static async Task RunJobAsync(IServiceProvider services, Guid runId)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<VerifyAuditChainJob>().RunAsync(runId, CancellationToken.None);
    }
}
