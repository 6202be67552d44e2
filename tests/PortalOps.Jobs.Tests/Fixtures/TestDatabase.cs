using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>A fresh, migrated portal database for one test, on SQLite or PostgreSQL, removed afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly Func<Task> _cleanup;

    private TestDatabase(PortalDatabase database, string dataDirectory, Func<Task> cleanup)
    {
        Database = database;
        DataDirectory = dataDirectory;
        Contexts = new PortalDbContextFactory(database);
        _cleanup = cleanup;
    }

    public PortalDatabase Database { get; }

    /// <summary>A folder of its own (the SQLite files live here; Hangfire's SQLite file too).</summary>
    public string DataDirectory { get; }

    public IDbContextFactory<PortalDbContext> Contexts { get; }

    /// <summary>A protector with a fresh key, for stores that encrypt secrets at rest.</summary>
    public PortalOps.Jobs.Secrets.SecretProtector Secrets { get; } = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>The configuration a host needs to use this database.</summary>
    public IReadOnlyDictionary<string, string?> Configuration => Database.Provider == DatabaseProvider.Postgres
        ? new Dictionary<string, string?> { ["Data:Path"] = DataDirectory, ["ConnectionStrings:PortalOps"] = Database.ConnectionString }
        : new Dictionary<string, string?> { ["Data:Path"] = DataDirectory };

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => await CreateSqliteAsync(),
        DatabaseProvider.Postgres => await CreatePostgresAsync(),
    };

    public static async Task<TestDatabase> CreateSqliteAsync()
    {
        // Each test gets a copy of one migrated file: the same schema as MigrateDatabaseAsync makes, without migrating every time.
        var template = await SqliteTemplate.Value;
        var directory = Directory.CreateTempSubdirectory("portalops-test-").FullName;
        File.Copy(template, Path.Combine(directory, PortalDatabase.SqliteFileName));
        return new TestDatabase(PortalDatabase.Sqlite(directory), directory, () =>
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
            return Task.CompletedTask;
        });
    }

    public static Task<TestDatabase> CreatePostgresAsync() => CreatePostgresAsync(empty: false);

    /// <summary>A PostgreSQL database with nothing in it yet: no portal tables, no Hangfire schema.</summary>
    public static Task<TestDatabase> CreateEmptyPostgresAsync() => CreatePostgresAsync(empty: true);

    private static async Task<TestDatabase> CreatePostgresAsync(bool empty) => await CreatePostgresAsync(await PostgresCluster.GetAsync(), empty);

    /// <summary>A migrated database on a server of the test's own (see <see cref="PostgresCluster.StartPrivateAsync"/>).</summary>
    public static Task<TestDatabase> CreatePostgresAsync(PostgresCluster cluster) => CreatePostgresAsync(cluster, empty: false);

    private static async Task<TestDatabase> CreatePostgresAsync(PostgresCluster cluster, bool empty)
    {
        var connectionString = empty ? await cluster.CreateEmptyDatabaseAsync() : await cluster.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("portalops-test-").FullName;
        return new TestDatabase(PortalDatabase.Postgres(connectionString, directory), directory, async () =>
        {
            await cluster.DropDatabaseAsync(connectionString);
            Directory.Delete(directory, recursive: true);
        });
    }

    /// <summary>Runs raw SQL against the database, bypassing the stores (to play an intruder).</summary>
    public async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.Database.ExecuteSqlRawAsync(sql);
    }

    public async ValueTask DisposeAsync() => await _cleanup();

    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private static async Task<string> CreateSqliteTemplateAsync()
    {
        var directory = Directory.CreateTempSubdirectory("portalops-test-template-").FullName;
        var database = PortalDatabase.Sqlite(directory);
        await using (var services = new ServiceCollection()
            .AddSingleton(database)
            .AddSingleton<IDbContextFactory<PortalDbContext>>(new PortalDbContextFactory(database))
            .BuildServiceProvider())
        {
            await services.MigrateDatabaseAsync();
        }

        // Closing the last connection folds the write-ahead log into the file, so the file alone is the whole database.
        SqliteConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return Path.Combine(directory, PortalDatabase.SqliteFileName);
    }
}
