using System.Diagnostics;
using System.Text.RegularExpressions;

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

    public static async Task<Portal> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, int? port = null)
    {
        var webDirectory = Path.Combine(Loopback.RepositoryRoot, "src", "PortalOps.Web");
        var dll = Path.Combine(webDirectory, "bin", Loopback.Configuration, "net10.0", "PortalOps.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing; build the solution first (dotnet build PortalOps.sln).");
        }

        var baseUrl = $"http://127.0.0.1:{port ?? Loopback.FreePort()}";
        var dataPath = Path.Combine(Path.GetTempPath(), "portalops-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
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

        var watch = Stopwatch.StartNew();
        var process = ChildProcess.Start("dotnet", [dll], webDirectory, environment);
        using var http = new HttpClient();
        try
        {
            await Loopback.WaitUntilAsync(async () => !process.HasExited && (await http.GetAsync(baseUrl + "/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the portal's /health");
        }
        catch (TimeoutException ex)
        {
            var tail = process.Tail();
            await process.DisposeAsync();
            throw new TimeoutException(ex.Message + " Output:\n" + tail, ex);
        }

        return new Portal(process, baseUrl, dataPath, watch.Elapsed);
    }

    /// <summary>The one-time setup link the portal prints on its console at a first start.</summary>
    public async Task<string> SetupLinkAsync(TimeSpan timeout)
    {
        var line = await _process.WaitForLineAsync(l => SetupLinkPattern().IsMatch(l), timeout);
        return SetupLinkPattern().Match(line).Value;
    }

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
