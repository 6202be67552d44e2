using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// The AWS emulator moto (<c>python3 -m moto.server</c>) on a free loopback port, started once for the test run and stopped at its end.
/// <see cref="ResetAsync"/> empties it between tests. Without moto the tests fail and say how to install it.
/// </summary>
public sealed class MotoServer
{
    private static readonly Lazy<Task<MotoServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly Process _process;

    private MotoServer(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static Task<MotoServer> GetAsync() => Shared.Value;

    public async Task ResetAsync()
    {
        using var response = await Http.PostAsync($"{Url}/moto-api/reset", null);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<MotoServer> StartAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("python3 is not installed; the DynamoDB tests need moto: `apt-get install python3 python3-pip && pip install 'moto[server]==5.2.1'`.", ex);
        }

        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var url = $"http://127.0.0.1:{port}";
        var until = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                string text;
                lock (errors)
                {
                    text = errors.ToString();
                }

                throw new InvalidOperationException(
                    $"moto did not start (exit code {process.ExitCode}). Install it with `pip install 'moto[server]==5.2.1'`. Its output:\n{text}");
            }

            try
            {
                using var response = await Http.GetAsync($"{url}/moto-api/");
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTimeOffset.UtcNow > until)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("moto did not answer within 30 s.");
            }

            await Task.Delay(100);
        }

        var server = new MotoServer(process, url);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    private void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
