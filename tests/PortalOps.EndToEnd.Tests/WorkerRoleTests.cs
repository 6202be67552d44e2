using System.Net;
using PortalOps.EndToEnd.Tests.Infrastructure;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.EndToEnd.Tests;

/// <summary>A worker node of the real binary serves no pages: /health on its own port or no port at all, and no setup link.</summary>
[Trait("Category", "Peer")]
public sealed class WorkerRoleTests
{
    // A worker needs PostgreSQL; a node on PostgreSQL starts its job server there (as MultiNodeStartTests allows, on two busy cores).
    private static readonly TimeSpan PostgresStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task WorkerRole_HealthUrl_AnswersHealthAndNoPageAndPrintsNoSetupLink()
    {
        var port = Loopback.FreePort();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var worker = await Portal.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PortalOps"] = database.ConnectionString,
            ["Jobs:Role"] = "worker",
            ["Jobs:WorkerHealthUrls"] = $"http://127.0.0.1:{port}",
        }, port, PostgresStart);
        using var http = new HttpClient { BaseAddress = new Uri(worker.BaseUrl) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        foreach (var path in (string[])["/", "/login", "/setup", "/jobs", "/instances", "/_framework/blazor.web.js"])
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/telegram/webhook", new StringContent("{}"))).StatusCode);

        // A first start with no users: a web node prints the setup link once it is started; a worker never does.
        await worker.Process.WaitForLineAsync(l => l.Contains("serves no pages", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("/setup?token=", worker.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerRole_TwoWorkersOnOneHost_BothStart()
    {
        var port = Loopback.FreePort();
        await using var database = await PostgresDatabase.CreateAsync();

        // Two nodes need a cloud they both see (the Sandbox runs on one node only) and one Data Protection key file.
        await using var moto = await Moto.StartAsync();
        var keyFile = Path.Combine(Path.GetTempPath(), $"portalops-e2e-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        Dictionary<string, string?> Node() => new(Moto.DummyCredentials)
        {
            ["Aws:ServiceUrl"] = moto.Url,
            ["Aws:Accounts:0:Id"] = Moto.AccountId,
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["ConnectionStrings:PortalOps"] = database.ConnectionString,
            ["Data:KeyFile"] = keyFile,
            ["Jobs:Role"] = "worker",
        };

        var firstSettings = Node();
        firstSettings["Jobs:WorkerHealthUrls"] = $"http://127.0.0.1:{port}";
        await using var first = await Portal.StartAsync(firstSettings, port, PostgresStart);

        // The second worker is given the first one's port as its portal address: a worker binds no portal address, so it starts.
        await using var second = await Portal.StartWithoutListenerAsync(Node(), first.BaseUrl);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.False(second.Process.HasExited, "The second worker stopped:\n" + second.Process.Tail());
        Assert.DoesNotContain("address already in use", second.Process.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/health on no port", second.Process.Output, StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(first.BaseUrl + "/health")).StatusCode);
    }

    [Fact]
    public async Task WorkerRole_BadHealthUrl_RefusesToStartNamingTheKey()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var (exitCode, output) = await Portal.RunToExitAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PortalOps"] = database.ConnectionString,
            ["Jobs:Role"] = "worker",
            ["Jobs:WorkerHealthUrls"] = "127.0.0.1:9100",
        }, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains("Jobs:WorkerHealthUrls must list http:// or https:// addresses", output, StringComparison.Ordinal);
    }
}

/// <summary>A migrated database of its own on the test PostgreSQL server, dropped afterwards.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly PostgresCluster _cluster;

    private PostgresDatabase(PostgresCluster cluster, string connectionString)
    {
        _cluster = cluster;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var cluster = await PostgresCluster.GetAsync();
        return new PostgresDatabase(cluster, await cluster.CreateDatabaseAsync());
    }

    public async ValueTask DisposeAsync() => await _cluster.DropDatabaseAsync(ConnectionString);
}
