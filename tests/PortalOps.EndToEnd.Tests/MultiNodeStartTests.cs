using System.Net;
using PortalOps.EndToEnd.Tests.Infrastructure;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.EndToEnd.Tests;

/// <summary>Nodes of the real binary started together on one empty PostgreSQL database all come up.</summary>
[Trait("Category", "Peer")]
public sealed class MultiNodeStartTests
{
    // Three processes starting on two cores, one of them migrating an empty database while the others wait for its lock.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Start_ThreeNodesAtOnceOnEmptyPostgres_AllComeUp()
    {
        var cluster = await PostgresCluster.GetAsync();
        var connectionString = await cluster.CreateEmptyDatabaseAsync();

        // Several nodes need a cloud they all see: the Sandbox runs on one node only.
        await using var moto = await Moto.StartAsync();
        var keyFile = Path.Combine(Path.GetTempPath(), $"portalops-e2e-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var nodes = new List<Portal>();
        try
        {
            var starts = new[] { "web", "web", "worker" }.Select(role =>
            {
                var port = Loopback.FreePort();
                return Portal.StartAsync(new Dictionary<string, string?>(Moto.DummyCredentials)
                {
                    ["Aws:ServiceUrl"] = moto.Url,
                    ["Aws:Accounts:0:Id"] = Moto.AccountId,
                    ["Aws:Accounts:0:Regions:0"] = "us-east-1",
                    ["ConnectionStrings:PortalOps"] = connectionString,
                    ["Data:KeyFile"] = keyFile,
                    ["Jobs:Role"] = role,
                    ["Jobs:WorkerHealthUrls"] = $"http://127.0.0.1:{port}",
                }, port, StartTimeout);
            }).ToList();

            var results = await Task.WhenAll(starts.Select(async start =>
            {
                try
                {
                    return (Node: await start, Error: (Exception?)null);
                }
                catch (Exception error)
                {
                    return (Node: (Portal?)null, Error: error);
                }
            }));
            nodes.AddRange(results.Where(r => r.Node is not null).Select(r => r.Node!));

            Assert.All(results, r => Assert.True(r.Error is null, r.Error?.Message));
            using var http = new HttpClient();
            foreach (var node in nodes)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(node.BaseUrl + "/health")).StatusCode);
                Assert.DoesNotContain("42P07", node.Process.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await cluster.DropDatabaseAsync(connectionString);
            File.Delete(keyFile);
        }
    }
}
