using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Scheduling;

/// <summary>
/// Hangfire's durable storage beside the portal database: hangfire.db in the data folder, or the "hangfire" schema
/// of the same PostgreSQL database, where any number of worker nodes share the queues. Building the PostgreSQL storage sets up
/// the schema, so MigrateDatabaseAsync builds it under the start-up lock (<see cref="Persistence.StartupLock"/>).
/// </summary>
internal static class HangfireStorageFactory
{
    public const string PostgresSchema = "hangfire";

    public static JobStorage Create(PortalDatabase database, JobsOptions options)
    {
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                database.EnsureDataDirectory();
                return new SQLiteStorage(database.HangfireSqlitePath, new SQLiteStorageOptions
                {
                    QueuePollInterval = options.QueuePollInterval,
                });
            case DatabaseProvider.Postgres:
                var postgres = new PostgreSqlStorageOptions
                {
                    SchemaName = PostgresSchema,
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = options.QueuePollInterval,
                    EnableLongPolling = true,

                    // A worker keeps the jobs it runs invisible to the others by a heartbeat; when it dies the heartbeat stops and
                    // another worker takes its jobs after Jobs:AbandonedJobTimeout (the storage's default, without the heartbeat, is 30 minutes).
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = options.AbandonedJobTimeout,
                };
                return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, postgres), postgres);
            default:
                throw new ArgumentOutOfRangeException(nameof(database), database.Provider, "Unknown database provider.");
        }
    }
}
