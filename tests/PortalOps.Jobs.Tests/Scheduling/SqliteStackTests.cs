using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Scheduling;

/// <summary>
/// EF Core (Microsoft.Data.Sqlite) and Hangfire.Storage.SQLite (sqlite-net) share one process. Both must run on one
/// SQLitePCLRaw (3.x) and one native e_sqlite3 library, or one of them fails at its first call.
/// </summary>
[Collection(HangfireCollection.Name)]
public sealed class SqliteStackTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateSqliteAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task BothSqliteLibraries_OneProcess_ShareOneNativeSqlite()
    {
        string efVersion;
        await using (var connection = new SqliteConnection(_database.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "select sqlite_version()";
            efVersion = (string)(await command.ExecuteScalarAsync())!;
        }

        using var hangfireFile = new SQLite.SQLiteConnection(Path.Combine(_database.DataDirectory, "probe.db"));
        var sqliteNetVersion = hangfireFile.ExecuteScalar<string>("select sqlite_version()");

        Assert.Equal(efVersion, sqliteNetVersion);
        Assert.Equal(3, typeof(SQLitePCL.raw).Assembly.GetName().Version!.Major);
        var loaded = File.ReadAllLines("/proc/self/maps")
            .Where(line => line.EndsWith("libe_sqlite3.so", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf('/', StringComparison.Ordinal))..])
            .Distinct()
            .ToList();
        Assert.Single(loaded);
    }

    [Fact]
    public async Task HangfireSqliteStorage_BesideEfDatabase_StoresJobsInItsOwnFile()
    {
        using var storage = new SQLiteStorage(_database.Database.HangfireSqlitePath, new SQLiteStorageOptions());
        var client = new BackgroundJobClient(storage);

        var id = client.Enqueue(() => Console.WriteLine("probe"));
        await new EfUserStore(_database.Contexts, _database.Secrets).CountAsync();

        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(1, storage.GetMonitoringApi().EnqueuedCount("default"));
        Assert.True(File.Exists(Path.Combine(_database.DataDirectory, PortalDatabase.SqliteFileName)));
        Assert.True(File.Exists(Path.Combine(_database.DataDirectory, PortalDatabase.HangfireSqliteFileName)));
    }
}
