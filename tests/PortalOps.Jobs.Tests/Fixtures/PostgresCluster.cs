using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>
/// A PostgreSQL server for the tests, started once per test run and stopped when the run ends.
/// <c>PORTALOPS_TEST_POSTGRES</c> (a connection string whose user may create databases) points the tests at an existing server;
/// otherwise a throwaway cluster is made with the Debian binaries in /usr/lib/postgresql/*/bin on a free loopback port.
/// Every test gets its own database, cloned from a migrated template.
/// </summary>
public sealed class PostgresCluster
{
    public const string EnvironmentVariable = "PORTALOPS_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresCluster>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly SemaphoreSlim _createGate = new(1, 1);
    private readonly string _adminConnectionString;
    private readonly string _templateName;
    private readonly LocalServer? _local;
    private readonly List<string> _created = [];

    private PostgresCluster(string adminConnectionString, string templateName, LocalServer? local)
    {
        _adminConnectionString = adminConnectionString;
        _templateName = templateName;
        _local = local;
    }

    public static Task<PostgresCluster> GetAsync() => Shared.Value;

    /// <summary>
    /// A server of the caller's own (always a local initdb cluster, never the shared one), for tests that restart it under load;
    /// <see cref="StopPrivate"/> ends it.
    /// </summary>
    public static async Task<PostgresCluster> StartPrivateAsync()
    {
        var local = await LocalServer.StartAsync();
        return await PrepareAsync($"Host=127.0.0.1;Port={local.Port};Username=postgres;Database=postgres;Pooling=false;Timeout=15", local);
    }

    /// <summary>Restarts a private server (pg_ctl restart, fast: every session is ended, as a fail-over or an upgrade does).</summary>
    public Task RestartAsync() => (_local ?? throw new InvalidOperationException("Only a private server is restarted.")).RestartAsync();

    public void StopPrivate() => Stop();

    /// <summary>Creates a fresh, migrated database and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => CreateDatabaseAsync(_templateName);

    /// <summary>Creates a fresh database with no tables at all (as an operator's new database is) and returns its connection string.</summary>
    public Task<string> CreateEmptyDatabaseAsync() => CreateDatabaseAsync("template0");

    private async Task<string> CreateDatabaseAsync(string template)
    {
        var name = $"portalops_test_{Guid.NewGuid():N}";
        await _createGate.WaitAsync();
        try
        {
            await ExecuteAsync(_adminConnectionString, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            lock (_created)
            {
                _created.Add(name);
            }
        }
        finally
        {
            _createGate.Release();
        }

        return WithDatabase(_adminConnectionString, name, pooling: true);
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS \"{builder.Database}\" WITH (FORCE)");
        lock (_created)
        {
            _created.Remove(builder.Database!);
        }
    }

    private static async Task<PostgresCluster> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        LocalServer? local = null;
        string admin;
        if (!string.IsNullOrWhiteSpace(external))
        {
            admin = WithDatabase(external, new NpgsqlConnectionStringBuilder(external).Database ?? "postgres", pooling: false);
        }
        else
        {
            local = await LocalServer.StartAsync();
            admin = $"Host=127.0.0.1;Port={local.Port};Username=postgres;Database=postgres;Pooling=false;Timeout=15";
        }

        return await PrepareAsync(admin, local);
    }

    private static async Task<PostgresCluster> PrepareAsync(string admin, LocalServer? local)
    {
        var template = $"portalops_template_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{template}\"");
        var templateConnection = WithDatabase(admin, template, pooling: false);
        await using (var db = new PortalDbContextFactory(PortalDatabase.Postgres(templateConnection, Path.GetTempPath())).CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var cluster = new PostgresCluster(admin, template, local);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    private void Stop()
    {
        if (_local is not null)
        {
            _local.Stop();
            return;
        }

        // An external server: remove what this run created.
        try
        {
            NpgsqlConnection.ClearAllPools();
            List<string> names;
            lock (_created)
            {
                names = [.. _created, _templateName];
            }

            foreach (var name in names)
            {
                ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
            }
        }
        catch (NpgsqlException)
        {
            // The server went away first; nothing is left to clean.
        }
    }

    private static string WithDatabase(string connectionString, string database, bool pooling) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            Database = database,
            Pooling = pooling,
            MaxPoolSize = 30,
        }.ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A cluster made with initdb in a temporary folder and run with pg_ctl, as the postgres user when the tests run as root.</summary>
    private sealed class LocalServer
    {
        private readonly string _bin;
        private readonly string _root;
        private readonly bool _asPostgresUser;
        private int _stopped;

        private LocalServer(string bin, string root, bool asPostgresUser, int port)
        {
            _bin = bin;
            _root = root;
            _asPostgresUser = asPostgresUser;
            Port = port;
        }

        public int Port { get; }

        private string DataDirectory => Path.Combine(_root, "data");

        public static async Task<LocalServer> StartAsync()
        {
            var bin = FindBinaries() ?? throw new InvalidOperationException(
                "PostgreSQL is not installed: the tests need its server binaries in /usr/lib/postgresql/*/bin. "
                + $"Install them with `apt-get install postgresql`, or set {EnvironmentVariable} to the connection string of a server where the tests may create databases.");
            RemoveAbandonedClusters();
            var root = Directory.CreateTempSubdirectory("portalops-pg-").FullName;
            var asPostgresUser = Environment.IsPrivilegedProcess;
            if (asPostgresUser)
            {
                // initdb refuses to run as root; the cluster belongs to the postgres user.
                await RunAsync("chown", ["postgres:postgres", root], asPostgresUser: false, root);
            }

            var server = new LocalServer(bin, root, asPostgresUser, FreePort());
            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
            await server.RunToolAsync("pg_ctl", [
                "-D", server.DataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
                "-o", $"-p {server.Port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "start",
            ]);
            return server;
        }

        public Task RestartAsync() =>
            RunToolAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-m", "fast", "-w", "-t", "60", "restart"]);

        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

            NpgsqlConnection.ClearAllPools();

            // One shell does both steps, so the folder goes even if the test host is ended while it waits.
            var stop = _asPostgresUser
                ? "runuser -u postgres -- \"$0\" -D \"$1\" -m immediate -w -t 20 stop; rm -rf \"$2\""
                : "\"$0\" -D \"$1\" -m immediate -w -t 20 stop; rm -rf \"$2\"";
            RunAsync("/bin/sh", ["-c", stop, Path.Combine(_bin, "pg_ctl"), DataDirectory, _root], asPostgresUser: false, Path.GetTempPath())
                .GetAwaiter().GetResult();
        }

        /// <summary>Removes clusters an ended test run could not clean up: older than an hour and no longer running.</summary>
        private static void RemoveAbandonedClusters()
        {
            foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "portalops-pg-*"))
            {
                try
                {
                    var info = new DirectoryInfo(directory);
                    if (info.CreationTimeUtc < TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-1) && !File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
                    {
                        info.Delete(recursive: true);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Someone else's, or in use: leave it.
                }
            }
        }

        private Task RunToolAsync(string tool, IReadOnlyList<string> arguments) =>
            RunAsync(Path.Combine(_bin, tool), arguments, _asPostgresUser, _root);

        private static string? FindBinaries()
        {
            const string root = "/usr/lib/postgresql";
            if (!Directory.Exists(root))
            {
                return null;
            }

            return Directory.GetDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Directory, "bin"))
                .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")));
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgresUser, string workingDirectory)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgresUser ? "runuser" : fileName,
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", fileName])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // pg_ctl leaves the server running; wait for the tool itself, not for the end of every inherited stream.
        var exited = await Task.Run(() => process.WaitForExit(120_000));
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} did not finish in 120 s.");
        }

        if (process.ExitCode != 0)
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            throw new InvalidOperationException($"{Path.GetFileName(fileName)} failed with exit code {process.ExitCode}: {text}");
        }
    }
}
