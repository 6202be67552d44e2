namespace PortalOps.EndToEnd.Tests.Infrastructure;

/// <summary>The AWS emulator moto (`python3 -m moto.server`) on a free loopback port.</summary>
public sealed class Moto : IAsyncDisposable
{
    public const string AccountId = "123456789012";

    private readonly ChildProcess _process;

    private Moto(ChildProcess process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<Moto> StartAsync()
    {
        var port = Loopback.FreePort();
        var process = ChildProcess.Start("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], Path.GetTempPath(), new Dictionary<string, string?>());
        var url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient();
        try
        {
            await Loopback.WaitUntilAsync(async () => !process.HasExited && (await http.GetAsync(url + "/moto-api/")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "moto");
        }
        catch (TimeoutException ex)
        {
            var output = process.Tail();
            await process.DisposeAsync();
            throw new InvalidOperationException($"moto did not start (install it with `pip install 'moto[server]'`): {ex.Message}\n{output}", ex);
        }

        return new Moto(process, url);
    }

    /// <summary>Environment for anything that talks to this moto: dummy credentials, never real ones.</summary>
    public static IReadOnlyDictionary<string, string?> DummyCredentials { get; } = new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = "testing",
        ["AWS_SESSION_TOKEN"] = "testing",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
