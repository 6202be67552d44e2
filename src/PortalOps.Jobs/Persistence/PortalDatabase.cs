using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Which database this node uses: PostgreSQL when <c>ConnectionStrings:PortalOps</c> is set, otherwise SQLite files
/// in the data folder (<c>Data:Path</c>, relative to the content root). Never printed: the connection string may hold a password.
/// </summary>
public sealed class PortalDatabase
{
    public const string ConnectionStringName = "PortalOps";
    public const string SqliteFileName = "portalops.db";
    public const string HangfireSqliteFileName = "hangfire.db";

    private PortalDatabase(DatabaseProvider provider, string connectionString, string dataDirectory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The absolute data folder (also used in PostgreSQL mode for nothing but local files).</summary>
    public string DataDirectory { get; }

    /// <summary>The Hangfire SQLite file; used only in SQLite mode.</summary>
    public string HangfireSqlitePath => Path.Combine(DataDirectory, HangfireSqliteFileName);

    public static PortalDatabase FromConfiguration(IConfiguration configuration, string contentRootPath)
    {
        var configured = configuration[$"{DataOptions.Section}:{nameof(DataOptions.Path)}"];
        var dataDirectory = Path.GetFullPath(Path.Combine(contentRootPath, string.IsNullOrWhiteSpace(configured) ? "data" : configured));
        var postgres = configuration.GetConnectionString(ConnectionStringName);
        return string.IsNullOrWhiteSpace(postgres) ? Sqlite(dataDirectory) : Postgres(postgres, dataDirectory);
    }

    public static PortalDatabase Sqlite(string dataDirectory)
    {
        var file = Path.Combine(Path.GetFullPath(dataDirectory), SqliteFileName);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        return new PortalDatabase(DatabaseProvider.Sqlite, connectionString, Path.GetFullPath(dataDirectory));
    }

    public static PortalDatabase Postgres(string connectionString, string dataDirectory) =>
        new(DatabaseProvider.Postgres, connectionString, Path.GetFullPath(dataDirectory));

    /// <summary>Creates the data folder when SQLite files will be written there.</summary>
    public void EnsureDataDirectory()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            Directory.CreateDirectory(DataDirectory);
        }
    }

    public override string ToString() => Provider == DatabaseProvider.Sqlite ? $"SQLite in {DataDirectory}" : "PostgreSQL";
}
