using Microsoft.EntityFrameworkCore;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;
using PortalOps.Jobs.Tests.Scheduling;

namespace PortalOps.Jobs.Tests.Persistence;

/// <summary>Nodes started together on one empty PostgreSQL database set it up one after the other.</summary>
[Trait("Category", "Peer")]
[Collection(HangfireCollection.Name)]
public sealed class StartupLockTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateEmptyPostgresAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task MigrateDatabaseAsync_ThreeNodesAtOnceOnEmptyDatabase_AllSucceed()
    {
        var hosts = new[] { "all", "web", "worker" }.Select(role => TestHost.Build(_database, role, new FakeCompute())).ToList();
        try
        {
            using var start = new Barrier(hosts.Count);
            var migrations = hosts.Select(host => Task.Run(async () =>
            {
                start.SignalAndWait();
                await host.Services.MigrateDatabaseAsync();
            })).ToList();

            await Task.WhenAll(migrations).WaitAsync(TimeSpan.FromMinutes(2));

            await using var db = await _database.Contexts.CreateDbContextAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(1, await ScalarAsync("SELECT count(*)::int FROM information_schema.tables WHERE table_schema = 'hangfire' AND table_name = 'job'"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    [Fact]
    public async Task MigrateDatabaseAsync_AnotherNodeHoldsTheLock_WaitsUntilItIsReleased()
    {
        using var host = TestHost.Build(_database, "all", new FakeCompute());
        var held = await StartupLock.AcquireAsync(_database.Database, logger: null);
        Task migration;
        try
        {
            migration = Task.Run(() => host.Services.MigrateDatabaseAsync());
            await Task.Delay(TimeSpan.FromSeconds(2));

            Assert.False(migration.IsCompleted, "The migration ran while another node held the start-up lock.");
            Assert.Equal(0, await ScalarAsync("SELECT count(*)::int FROM information_schema.tables WHERE table_schema IN ('public', 'hangfire')"));
        }
        finally
        {
            await held.DisposeAsync();
        }

        await migration.WaitAsync(TimeSpan.FromMinutes(1));
        await using var db = await _database.Contexts.CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task AcquireAsync_Released_NextNodeTakesItAtOnce()
    {
        await (await StartupLock.AcquireAsync(_database.Database, logger: null)).DisposeAsync();

        var second = StartupLock.AcquireAsync(_database.Database, logger: null);

        await using var acquired = await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task<int> ScalarAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
