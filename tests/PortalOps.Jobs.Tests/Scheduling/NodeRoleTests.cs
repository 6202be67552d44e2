using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Approvals;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Scheduling;

[Collection(HangfireCollection.Name)]
public sealed class NodeRoleTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateSqliteAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [InlineData("all", true)]
    [InlineData("worker", true)]
    [InlineData("WORKER", true)]
    [InlineData("web", false)]
    public void AddBackgroundJobs_Role_RunsServerOnlyOnJobNodes(string role, bool runsServer)
    {
        using var host = TestHost.Build(_database, role, new FakeCompute());

        var servers = host.Services.GetServices<IHostedService>().OfType<BackgroundJobServerHostedService>();

        Assert.Equal(runsServer, servers.Any());
        Assert.IsType<HangfireActionScheduler>(host.Services.GetRequiredService<IActionScheduler>());
    }

    [Fact]
    public async Task StartAsync_UnknownRole_FailsNamingTheKey()
    {
        using var host = TestHost.Build(_database, "scheduler", new FakeCompute());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Jobs:Role must be one of all, web, worker", error.Message);
    }

    [Fact]
    public async Task StartAsync_BadWorkerCount_FailsNamingTheKey()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute(), new Dictionary<string, string?> { ["Jobs:WorkerCount"] = "0" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Jobs:WorkerCount must be between 1 and 100", error.Message);
    }

    [Fact]
    public void AddPersistence_NoConnectionString_UsesSqliteFilesInDataFolder()
    {
        using var host = TestHost.Build(_database, "web", new FakeCompute());

        var database = host.Services.GetRequiredService<PortalDatabase>();

        Assert.Equal(DatabaseProvider.Sqlite, database.Provider);
        Assert.Equal(_database.DataDirectory, database.DataDirectory);
        Assert.Equal(Path.Combine(_database.DataDirectory, "hangfire.db"), database.HangfireSqlitePath);
        Assert.DoesNotContain("Data Source", database.ToString());
    }
}
