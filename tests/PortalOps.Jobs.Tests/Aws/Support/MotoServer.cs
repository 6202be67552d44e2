using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PortalOps.Jobs.Tests.Aws.Support;

/// <summary>
/// Starts moto (the AWS emulator) on a free loopback port, waits until it answers, and stops it.
/// A missing moto fails the tests with the command that installs it.
/// </summary>
public class MotoServer : IAsyncLifetime
{
    public const string AccountId = "123456789012";
    private const string InstallHint = "moto is needed for the AWS tests: pip install 'moto[server]==5.2.1' (python3 -m moto.server must start).";
    private Process? process;
    private readonly StringBuilder log = new();

    static MotoServer()
    {
        // Dummy credentials for the default chain; every client points at loopback.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", null);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>What python runs before the host and port arguments: moto's own server here.</summary>
    protected virtual IReadOnlyList<string> Launcher => ["-m", "moto.server"];

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        var python = Environment.GetEnvironmentVariable("PORTALOPS_PYTHON") ?? "python3";
        var start = new ProcessStartInfo(python, [.. Launcher, "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException(InstallHint);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{python} was not found. {InstallHint}", e);
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"moto exited with code {process.ExitCode}. {InstallHint}\n{Log}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri(Url, "moto-api/data.json"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"moto did not answer on {Url} within 60 s. {InstallHint}\n{Log}");
    }

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.Length > 4000 ? log.ToString(log.Length - 4000, 4000) : log.ToString();
            }
        }
    }

    /// <summary>Clears every resource in every account and region.</summary>
    public async Task ResetAsync()
    {
        using var response = await Http.PostAsync(new Uri(Url, "moto-api/reset"), null);
        response.EnsureSuccessStatusCode();
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process?.Dispose();
        Http.Dispose();
        return Task.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}

/// <summary>Every test that talks to moto shares one server and runs one at a time (each resets it first).</summary>
[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "moto";
}
