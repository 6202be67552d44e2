using Microsoft.Extensions.Logging;
using Npgsql;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>
/// Who fetches Telegram's updates: exactly one node at a time (Telegram allows one <c>getUpdates</c> caller per bot). On PostgreSQL
/// the holder keeps a session-level advisory lock on a connection of its own; the others try again every
/// <see cref="RetryInterval"/>. When the holder stops, its session ends and the lock with it; when its process dies, the
/// connection closes (or, if the machine vanishes, the server's TCP keepalives — set short on this session — end it within about
/// 20 s), so another node takes over well within 30 s. The holder checks its session every <see cref="HeartbeatInterval"/> and
/// stops polling when it is gone. SQLite serves a single node: the lease is held at once and never lost.
/// </summary>
public sealed partial class PollerLease(PortalDatabase database, ILogger<PollerLease> logger)
{
    /// <summary>The advisory lock's key, the same on every node ("PORTALTG" in ASCII).</summary>
    public const long Key = 0x504F5254414C5447;

    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>True when nodes compete for the lease (PostgreSQL); false on SQLite.</summary>
    public bool IsShared => database.Provider == DatabaseProvider.Postgres;

    /// <summary>Waits until this node holds the lease; <paramref name="waiting"/> is called once if it has to wait.</summary>
    public async Task<Held> AcquireAsync(Action? waiting, CancellationToken cancellationToken)
    {
        if (!IsShared)
        {
            return new Held(null, logger);
        }

        var told = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            NpgsqlConnection? connection = null;
            try
            {
                connection = await OpenAsync(cancellationToken);
                while (!await TryLockAsync(connection, cancellationToken))
                {
                    if (!told)
                    {
                        told = true;
                        waiting?.Invoke();
                    }

                    await Task.Delay(RetryInterval, cancellationToken);
                }

                var held = new Held(connection, logger);
                connection = null;
                return held;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                LogUnreachable(logger, e.GetType().Name, RetryInterval.TotalSeconds);
                if (!told)
                {
                    told = true;
                    waiting?.Invoke();
                }

                await Task.Delay(RetryInterval, cancellationToken);
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Not pooled: the lock belongs to the session, and closing this connection must end it.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 5 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // The server drops this session ~20 s after the node's machine stops answering, which releases the lock.
            await using var keepalive = new NpgsqlCommand("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3", connection);
            await keepalive.ExecuteNonQueryAsync(cancellationToken);
            return connection;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Telegram poller lease cannot be taken: the database does not answer ({Reason}); trying again in {Seconds} s.")]
    private static partial void LogUnreachable(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node lost the Telegram poller lease ({Reason}); it stops fetching updates, and another node takes over.")]
    private static partial void LogLost(ILogger logger, string reason);

    /// <summary>The lease while held: <see cref="Lost"/> fires when its session is gone. Dispose to hand it over.</summary>
    public sealed class Held : IAsyncDisposable
    {
        private readonly NpgsqlConnection? _connection;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _heartbeat;

        internal Held(NpgsqlConnection? connection, ILogger logger)
        {
            _connection = connection;
            _logger = logger;
            _heartbeat = connection is null ? Task.CompletedTask : HeartbeatAsync(connection);
        }

        public CancellationToken Lost => _lost.Token;

        private async Task HeartbeatAsync(NpgsqlConnection connection)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(HeartbeatInterval, _stop.Token);
                    await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)HeartbeatInterval.TotalSeconds };
                    await ping.ExecuteScalarAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogLost(_logger, e.GetType().Name);
                await _lost.CancelAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _heartbeat;
            if (_connection is not null)
            {
                try
                {
                    if (!_lost.IsCancellationRequested)
                    {
                        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
                        unlock.Parameters.AddWithValue("key", Key);
                        await unlock.ExecuteNonQueryAsync();
                    }
                }
                catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
                {
                    // The session is gone, and the lock with it.
                }
                finally
                {
                    await _connection.DisposeAsync();
                }
            }

            _lost.Dispose();
            _stop.Dispose();
        }
    }
}
