using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PortalOps.EndToEnd.Tests.Infrastructure;

/// <summary>The real portal binary, started on a free loopback port with its own empty data folder.</summary>
public sealed partial class Portal : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _dataPath;

    private Portal(ChildProcess process, string baseUrl, string dataPath, TimeSpan startup)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataPath = dataPath;
        StartupTime = startup;
    }

    public string BaseUrl { get; }

    /// <summary>From process start until /health answered.</summary>
    public TimeSpan StartupTime { get; }

    public ChildProcess Process => _process;

    /// <summary>The portal's own data folder (its SQLite database and key file).</summary>
    public string DataPath => _dataPath;

    public static async Task<Portal> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, int? port = null, TimeSpan? startTimeout = null)
    {
        var baseUrl = $"http://127.0.0.1:{port ?? Loopback.FreePort()}";
        var dataPath = Path.Combine(Path.GetTempPath(), "portalops-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        var watch = Stopwatch.StartNew();
        var process = Launch(baseUrl, dataPath, settings);
        using var http = new HttpClient();
        try
        {
            await Loopback.WaitUntilAsync(async () => !process.HasExited && (await http.GetAsync(baseUrl + "/health")).IsSuccessStatusCode, startTimeout ?? TimeSpan.FromSeconds(60), "the portal's /health");
        }
        catch (TimeoutException ex)
        {
            var tail = process.Tail();
            await process.DisposeAsync();
            throw new TimeoutException(ex.Message + " Output:\n" + tail, ex);
        }

        return new Portal(process, baseUrl, dataPath, watch.Elapsed);
    }

    /// <summary>
    /// Starts a node that answers on no port (a worker without <c>Jobs:WorkerHealthUrls</c>), given <paramref name="baseUrl"/> as its
    /// portal address anyway, and waits for the host's "Application started" line.
    /// </summary>
    public static async Task<Portal> StartWithoutListenerAsync(IReadOnlyDictionary<string, string?> settings, string baseUrl)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "portalops-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        var watch = Stopwatch.StartNew();
        var process = Launch(baseUrl, dataPath, settings);
        try
        {
            await process.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            var tail = process.Tail();
            await process.DisposeAsync();
            throw new TimeoutException(ex.Message + " Output:\n" + tail, ex);
        }

        return new Portal(process, baseUrl, dataPath, watch.Elapsed);
    }

    /// <summary>Starts the portal binary and waits for it to stop by itself (a start refused for bad configuration); kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string?> settings, TimeSpan timeout)
    {
        var (exitCode, output, _) = await RunToExitWithFilesAsync(settings, timeout);
        return (exitCode, output);
    }

    /// <summary>As <see cref="RunToExitAsync"/>, and the files the process left in its (empty at start) data folder.</summary>
    public static async Task<(int ExitCode, string Output, IReadOnlyList<string> Files)> RunToExitWithFilesAsync(IReadOnlyDictionary<string, string?> settings, TimeSpan timeout)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "portalops-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        await using var process = Launch($"http://127.0.0.1:{Loopback.FreePort()}", dataPath, settings);
        try
        {
            await process.WaitForExitAsync(timeout);

            // The last lines arrive after the exit is seen.
            await Task.Delay(300);
            var files = Directory.EnumerateFileSystemEntries(dataPath, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dataPath, f)).ToList();
            return (process.ExitCode, process.Output, files);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The portal did not stop within {timeout.TotalSeconds:0} s. Output:\n{process.Tail()}");
        }
        finally
        {
            try
            {
                Directory.Delete(dataPath, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    private static ChildProcess Launch(string baseUrl, string dataPath, IReadOnlyDictionary<string, string?>? settings)
    {
        var webDirectory = Path.Combine(Loopback.RepositoryRoot, "src", "PortalOps.Web");
        var dll = Path.Combine(webDirectory, "bin", Loopback.Configuration, "net10.0", "PortalOps.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing; build the solution first (dotnet build PortalOps.sln).");
        }

        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = baseUrl,
            ["Urls"] = baseUrl,
            ["Data__Path"] = dataPath,
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return ChildProcess.Start("dotnet", [dll], webDirectory, environment);
    }

    /// <summary>The one-time setup link the portal prints on its console at a first start.</summary>
    public async Task<string> SetupLinkAsync(TimeSpan timeout)
    {
        var line = await _process.WaitForLineAsync(l => SetupLinkPattern().IsMatch(l), timeout);
        return SetupLinkPattern().Match(line).Value;
    }

    /// <summary>
    /// Creates the first Admin ("admin") through the one-time setup link and waits for the dashboard. The first answer after setup
    /// signs in and renders the dashboard while the portal's first jobs run, so its waits are longer than a click's default.
    /// </summary>
    public async Task CreateFirstAdminAsync(IPage page, string link, string password, string? displayName = null, bool tap = false)
    {
        await page.GotoAsync(link);
        await page.FillAsync("#username", "admin");
        if (displayName is not null)
        {
            await page.FillAsync("#displayname", displayName);
        }

        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm", password);
        var submit = page.GetByTestId("setup-submit");
        if (tap)
        {
            await submit.TapAsync(new LocatorTapOptions { Timeout = FirstAnswerTimeout });
        }
        else
        {
            await submit.ClickAsync(new LocatorClickOptions { Timeout = FirstAnswerTimeout });
        }

        await page.WaitForURLAsync(BaseUrl + "/", new PageWaitForURLOptions { Timeout = FirstAnswerTimeout });
    }

    private const float FirstAnswerTimeout = 60_000;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [GeneratedRegex(@"https?://\S+/setup\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLinkPattern();
}
