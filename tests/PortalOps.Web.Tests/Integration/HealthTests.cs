using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Web.Tests.Integration;

/// <summary>Liveness and readiness on the whole host: ready only while the database and the job server are.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Health_EmbeddedDefault_LiveAndReadyWithEveryCheckHealthy()
    {
        using var portal = new PortalFactory();
        var client = portal.AnonymousClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await WaitForAsync(client, "/health/ready", HttpStatusCode.OK);

        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        foreach (var check in new[] { "database", "jobs", "accepting" })
        {
            Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
        }

        Assert.Contains("job server is running", ready.GetProperty("checks").GetProperty("jobs").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), portal.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    internal static async Task<JsonElement> WaitForAsync(HttpClient client, string path, HttpStatusCode status, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status)
            {
                return JsonDocument.Parse(body).RootElement.Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} answered {(int)response.StatusCode} {body}, not {(int)status}, for {seconds} s.");
            await Task.Delay(250);
        }
    }
}

/// <summary>Readiness on PostgreSQL: it fails while the database refuses connections, liveness does not, and it comes back by itself.</summary>
[Trait("Category", "Peer")]
public sealed class PostgresHealthTests
{
    [Theory]
    [InlineData("all")]
    [InlineData("web")]
    public async Task Ready_DatabaseUnreachable_503ThenBackWhenItReturns(string role)
    {
        var cluster = await PostgresCluster.GetAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            using var portal = new PortalFactory().With("ConnectionStrings:PortalOps", connectionString).With("Jobs:Role", role);
            var client = portal.AnonymousClient();
            await HealthTests.WaitForAsync(client, "/health/ready", HttpStatusCode.OK);

            await SetConnectionsAsync(connectionString, allow: false);
            try
            {
                var down = await HealthTests.WaitForAsync(client, "/health/ready", HttpStatusCode.ServiceUnavailable);

                Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
                Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
                Assert.DoesNotContain("Host=", down.ToString(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            }
            finally
            {
                await SetConnectionsAsync(connectionString, allow: true);
            }

            await HealthTests.WaitForAsync(client, "/health/ready", HttpStatusCode.OK);
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>Makes the node's database refuse (or accept again) every connection, and ends the open ones, as an outage would.</summary>
    private static async Task SetConnectionsAsync(string connectionString, bool allow)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {(allow ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (!allow)
        {
            await using var end = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", connection);
            end.Parameters.AddWithValue("name", name);
            await end.ExecuteNonQueryAsync();
        }
    }
}
