using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>A message the server received: the envelope's sender and recipients, and the message as sent.</summary>
public sealed record ReceivedMail(string? EnvelopeFrom, IReadOnlyList<string> EnvelopeTo, MimeMessage Message);

/// <summary>
/// Nodemailer's `smtp-server` npm package on a free loopback port (Smtp/server.mjs): AUTH without TLS, only the given user and
/// password, recipients at refused.test refused; every message is kept and read back here with MimeKit. A missing Node.js or
/// npm fails the tests with the command that installs it.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    public const string User = "reports";
    public const string Password = "smtp-Secret-5f2b9c";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly string _folder;
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _waiting = new();
    private int _pings;

    private SmtpTestServer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        _folder = folder;
    }

    public int Port { get; }

    /// <summary>Sign-ins tried: the user name and whether it was accepted (every one the server answered before this read).</summary>
    public IReadOnlyList<(string User, bool Ok)> SignIns =>
        Settled().Where(e => e.GetProperty("event").GetString() == "auth").Select(e => (e.GetProperty("user").GetString()!, e.GetProperty("ok").GetBoolean())).ToList();

    /// <summary>Messages received (every one the server accepted before this read).</summary>
    public IReadOnlyList<ReceivedMail> Messages =>
        Settled().Where(e => e.GetProperty("event").GetString() == "message").Select(e => new ReceivedMail(
            e.GetProperty("from").GetString(),
            e.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToList(),
            MimeMessage.Load(e.GetProperty("file").GetString()!))).ToList();

    /// <summary>
    /// The events, once the server has answered a ping sent now: its output is read on another thread, so an event the server
    /// wrote before answering the client can otherwise still be on its way when a test reads.
    /// </summary>
    private ConcurrentQueue<JsonElement> Settled()
    {
        var n = Interlocked.Increment(ref _pings);
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[n] = pong;
        lock (_process)
        {
            _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ping {n}"));
            _process.StandardInput.Flush();
        }

        if (!pong.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            throw new TimeoutException($"The loopback SMTP server did not answer ping {n}:\n{Log}");
        }

        return _events;
    }

    /// <summary>The portal's mail settings for this server (plain SMTP on loopback, signing in).</summary>
    public IReadOnlyDictionary<string, string?> Settings(string? password = Password) => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:UserName"] = User,
        ["Smtp:Password"] = password,
        ["Smtp:From"] = "PortalOps <portalops@example.test>",
        ["Smtp:TimeoutSeconds"] = "20",
    };

    public static async Task<SmtpTestServer> StartAsync()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "PortalOps.Jobs.Tests", "Smtp");
        await InstallAsync(folder);
        var mail = Path.Combine(Path.GetTempPath(), "portalops-smtp-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var start = new ProcessStartInfo("node", ["server.mjs", port.ToString(CultureInfo.InvariantCulture), mail, User, Password])
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start (Node.js is needed for the e-mail tests).");
        var server = new SmtpTestServer(process, port, mail);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            server.Append(e.Data);
            if (e.Data.StartsWith('{'))
            {
                var json = JsonDocument.Parse(e.Data).RootElement.Clone();
                if (json.GetProperty("event").GetString() == "pong")
                {
                    if (server._waiting.TryRemove(json.GetProperty("n").GetInt32(), out var pong))
                    {
                        pong.TrySetResult();
                    }

                    return;
                }

                server._events.Enqueue(json);
                if (json.GetProperty("event").GetString() == "listening")
                {
                    listening.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var done = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        if (done != listening.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"The loopback SMTP server did not start (node server.mjs in {folder}):\n{server.Log}");
        }

        return server;
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>Installs the server from the npm registry (pinned by package-lock.json) the first time it is needed.</summary>
    private static async Task InstallAsync(string folder)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", "smtp-server")))
            {
                return;
            }

            var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start (Node.js and npm are needed for the e-mail tests).");
            var output = npm.StandardOutput.ReadToEndAsync();
            var errors = npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "smtp-server")))
            {
                throw new InvalidOperationException($"The loopback SMTP server could not be installed (`npm ci` in {folder}):\n{await output}\n{await errors}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortalOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PortalOps.sln) was not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
