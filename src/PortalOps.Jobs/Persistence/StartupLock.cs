using Microsoft.Extensions.Logging;
using Npgsql;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// The lock nodes take to set up the database: on PostgreSQL a session-level advisory lock on a connection of its own, held
/// while the portal's migrations and Hangfire's schema set-up run, so nodes started together set up the database one after
/// the other instead of racing (<c>42P07: relation … already exists</c>). SQLite serves a single node and takes no lock.
/// </summary>
public sealed class StartupLock : IAsyncDisposable
{
    /// <summary>The advisory lock's key, the same on every node of one database ("PORTALOP" in ASCII).</summary>
    public const long Key = 0x504F5254414C4F50;

    private readonly NpgsqlConnection? _connection;

    private StartupLock(NpgsqlConnection? connection) => _connection = connection;

    /// <summary>Waits until this node holds the lock (at once on SQLite).</summary>
    public static async Task<StartupLock> AcquireAsync(PortalDatabase database, ILogger? logger, CancellationToken cancellationToken = default)
    {
        if (database.Provider != DatabaseProvider.Postgres)
        {
            return new StartupLock(null);
        }

        // Not pooled: the lock belongs to the session, and closing this connection ends the session, so the lock never outlives it.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString;
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!await TryLockAsync(connection, cancellationToken))
            {
                logger?.LogInformation("Another node is setting up the database; waiting for it to finish");
                await using var wait = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection) { CommandTimeout = 0 };
                wait.Parameters.AddWithValue("key", Key);
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }

            return new StartupLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", Key);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is null)
        {
            return;
        }

        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            unlock.Parameters.AddWithValue("key", Key);
            await unlock.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The session is gone, and the lock with it.
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
