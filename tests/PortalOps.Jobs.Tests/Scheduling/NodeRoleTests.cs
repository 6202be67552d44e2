using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Approvals;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Scheduling;
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

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("02:00:00")]
    public async Task StartAsync_AbandonedJobTimeoutOutOfRange_FailsNamingTheKey(string value)
    {
        using var host = TestHost.Build(_database, "worker", new FakeCompute(), new Dictionary<string, string?> { ["Jobs:AbandonedJobTimeout"] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Jobs:AbandonedJobTimeout must be between 00:00:05 and 01:00:00 (it is {value})", error.Message);
    }

    [Theory]
    [InlineData("web", false)]
    [InlineData("all", true)]
    [InlineData("worker", true)]
    public void AddBackgroundJobs_Role_PollsTelegramOnlyOnJobNodes(string role, bool polls)
    {
        using var host = TestHost.Build(_database, role, new FakeCompute(), new Dictionary<string, string?> { ["Telegram:Polling"] = "true" });

        Assert.Equal(polls, host.Services.GetRequiredService<IOptions<PortalOps.Jobs.Telegram.TelegramOptions>>().Value.Polling);
    }

    [Theory]
    [InlineData("127.0.0.1:9100")]
    [InlineData("http://127.0.0.1:9100/health")]
    [InlineData("ftp://127.0.0.1:9100")]
    [InlineData("http://127.0.0.1:9100;nonsense")]
    public async Task StartAsync_BadWorkerHealthUrls_FailsNamingTheKey(string urls)
    {
        using var host = TestHost.Build(_database, "worker", new FakeCompute(), new Dictionary<string, string?> { ["Jobs:WorkerHealthUrls"] = urls });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Jobs:WorkerHealthUrls must list http:// or https:// addresses", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://127.0.0.1:9100")]
    [InlineData("http://127.0.0.1:9100; http://[::1]:9100/")]
    public void Validate_GoodWorkerHealthUrls_Succeeds(string urls)
    {
        var result = new JobsOptionsValidator().Validate(null, new JobsOptions { Role = "worker", WorkerHealthUrls = urls });

        Assert.True(result.Succeeded, result.FailureMessage);
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
