using Hangfire.Server;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Jobs.Scheduling;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// The readiness check's view of this node's job server: registered with a recent heartbeat is ready; a server whose heartbeat
/// stopped (a dead or hung worker) is not, nor is another node's server standing in for this one's.
/// </summary>
public sealed class JobServerHeartbeatTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"portalops-heartbeat-{Guid.NewGuid():N}.db");
    private readonly SQLiteStorage _storage;

    public JobServerHeartbeatTests() => _storage = new SQLiteStorage(_path, new SQLiteStorageOptions());

    [Fact]
    public async Task CheckHealth_WorkerHeartbeatOlderThanTwoMinutes_Unhealthy()
    {
        Announce($"{HangfireHealthCheck.ServerName}:{Guid.NewGuid():N}");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var check = new HangfireHealthCheck(_storage, Options.Create(new JobsOptions { Role = NodeRoles.Worker }), clock);

        var beating = await check.CheckHealthAsync(new HealthCheckContext());
        clock.Advance(HangfireHealthCheck.HeartbeatWithin + TimeSpan.FromSeconds(30));
        var silent = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, beating.Status);
        Assert.Equal(HealthStatus.Unhealthy, silent.Status);
        Assert.Equal("this node's job server is not running", silent.Description);

        // A web node runs no job server: the storage answering is enough, whatever the workers' heartbeats.
        var web = new HangfireHealthCheck(_storage, Options.Create(new JobsOptions { Role = NodeRoles.Web }), clock);
        Assert.Equal(HealthStatus.Healthy, (await web.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task CheckHealth_OnlyAnotherNodesServerBeating_Unhealthy()
    {
        Announce($"other-host:{Environment.ProcessId}:{Guid.NewGuid():N}");
        var check = new HangfireHealthCheck(_storage, Options.Create(new JobsOptions { Role = NodeRoles.All }), new FakeTimeProvider(DateTimeOffset.UtcNow));

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    public void Dispose()
    {
        _storage.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private void Announce(string serverId)
    {
        using var connection = _storage.GetConnection();
        connection.AnnounceServer(serverId, new ServerContext { Queues = ["default"], WorkerCount = 1 });
    }
}
