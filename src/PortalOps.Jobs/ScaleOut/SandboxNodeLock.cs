using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.ScaleOut;

/// <summary>
/// The Sandbox account lives in one process's memory, so on one database only one node may run it: a stop made through one node
/// would be invisible to another node's own simulated fleet. On PostgreSQL a node that runs the Sandbox holds a session-level
/// advisory lock for its whole life, on a connection of its own; a second such node on the same database refuses to start with
/// one line. Nodes that connect AWS (<c>Aws:Accounts</c>) take no lock and may be any number. SQLite serves one node and takes none.
/// </summary>
public sealed class SandboxNodeLock : IAsyncDisposable
{
    /// <summary>The advisory lock's key ("PORTALSB" in ASCII).</summary>
    public const long Key = 0x504F5254414C5342;

    public const string Refusal =
        "Sandbox: another node already runs the Sandbox account on this database. The Sandbox lives in one process's memory, so it runs on one node only; run a single node (Jobs:Role=all), or connect AWS (Aws:Accounts) to run several nodes.";

    private NpgsqlConnection? _connection;

    /// <summary>True when this node holds the lock.</summary>
    public bool Held => _connection is not null;

    /// <summary>
    /// Takes the lock when this node runs the Sandbox on PostgreSQL; throws <see cref="OptionsValidationException"/> (reported as
    /// one line by the host) when another node holds it.
    /// </summary>
    public async Task ClaimAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<PortalDatabase>();
        var runsSandbox = services.GetService<IServiceProviderIsService>()?.IsService(typeof(SandboxCloud)) == true;
        if (!runsSandbox || database.Provider != DatabaseProvider.Postgres || _connection is not null)
        {
            return;
        }

        // Not pooled: the lock belongs to the session, which ends with this node's process.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 5 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", Key);
        if (!(bool)(await command.ExecuteScalarAsync(cancellationToken))!)
        {
            await connection.DisposeAsync();
            throw new OptionsValidationException(SandboxOptions.Section, typeof(SandboxOptions), [Refusal]);
        }

        _connection = connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}
