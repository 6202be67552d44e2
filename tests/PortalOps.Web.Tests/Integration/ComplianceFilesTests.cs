using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The compliance downloads: the exceptions CSV holds only what the person may see; policies export as YAML files.</summary>
public sealed class ComplianceFilesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string ViewerScope = "000000000000/eu-west-1";

    [Fact]
    public async Task ExceptionsCsv_ScopedViewer_HoldsOnlyExceptionsOverTheirFindings_AdminHoldsAll()
    {
        await portal.CreateUserAsync("exc-admin", Role.Admin);
        var viewerUser = await portal.CreateUserAsync("exc-viewer", Role.Viewer, ViewerScope);
        using (var scope = portal.Services.CreateScope())
        {
            var services = scope.ServiceProvider;
            var viewer = Authorizer.ReadScopeOf(viewerUser.AsActor(Domain.Common.Channel.Web));
            var (inside, outside) = await FindingsAsync(services, viewer);
            var waivers = services.GetRequiredService<IWaiverStore>();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            await waivers.AddAsync(Waiver.Grant(inside.PolicyId, inside.Id, null, null, "inside-reason", "ana", now.AddDays(5), "exc-admin", now));
            await waivers.AddAsync(Waiver.Grant(outside.PolicyId, outside.Id, null, null, "outside-reason", "ana", now.AddDays(5), "exc-admin", now));
        }

        using var viewerClient = await portal.LoginAsync("exc-viewer");
        var viewerCsv = await viewerClient.GetStringAsync("/compliance/exceptions.csv?active=true");
        using var adminClient = await portal.LoginAsync("exc-admin");
        var adminCsv = await adminClient.GetStringAsync("/compliance/exceptions.csv");

        Assert.StartsWith("policy,finding,tag_key", viewerCsv, StringComparison.Ordinal);
        Assert.Contains("inside-reason", viewerCsv, StringComparison.Ordinal);
        Assert.DoesNotContain("outside-reason", viewerCsv, StringComparison.Ordinal);
        Assert.Contains("inside-reason", adminCsv, StringComparison.Ordinal);
        Assert.Contains("outside-reason", adminCsv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyFiles_OneAndAll_AreTheYamlOfThePoliciesInForce()
    {
        await portal.CreateUserAsync("files-viewer", Role.Viewer, ViewerScope);
        using var client = await portal.LoginAsync("files-viewer");

        var one = await client.GetStringAsync("/compliance/policy-files/sg-ssh-open-to-world");
        Assert.True(PolicyYaml.Read(one).Succeeded);
        Assert.Equal("sg-ssh-open-to-world", PolicyYaml.Read(one).Policy!.Id);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/compliance/policy-files/no-such-policy")).StatusCode);

        await using var zipped = await client.GetStreamAsync("/compliance/policy-files");
        using var zip = new ZipArchive(zipped, ZipArchiveMode.Read);
        Assert.Equal(BuiltInPolicies.All.Select(p => p.Id + ".yaml").Order(StringComparer.Ordinal), zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PolicySchema_IsServedToSignedInPeople_AndNamesEveryResourceTypeAndRemediation()
    {
        await portal.CreateUserAsync("schema-viewer", Role.Viewer, ViewerScope);
        using var client = await portal.LoginAsync("schema-viewer");

        using var response = await client.GetAsync("/compliance/portalops-policy.schema.json");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PolicySchema.Json, text);
        using var schema = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        Assert.All(ResourceTypes.Names, name => Assert.Contains($"\"{name}\"", text, StringComparison.Ordinal));
        Assert.Contains("\"revoke-world-open\"", text, StringComparison.Ordinal);

        using var anonymous = portal.AnonymousClient();
        var refused = await anonymous.GetAsync("/compliance/portalops-policy.schema.json");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, refused.StatusCode);
    }

    /// <summary>
    /// A finding the viewer may see and one they may not. The portal scans once at start in the background; this scans too and,
    /// should the two scans meet on the same new finding, waits for the one that got there first.
    /// </summary>
    private static async Task<(Finding Inside, Finding Outside)> FindingsAsync(IServiceProvider services, ReadScope viewer)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await services.GetRequiredService<ComplianceScanner>().ScanAsync();
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                continue;
            }

            var unresolved = await services.GetRequiredService<IFindingStore>().UnresolvedAsync();
            if (unresolved.FirstOrDefault(f => viewer.Covers(f.Footprint)) is { } inside && unresolved.FirstOrDefault(f => !viewer.Covers(f.Footprint)) is { } outside)
            {
                return (inside, outside);
            }

            Assert.True(DateTime.UtcNow < deadline, "the sandbox scan found findings both inside and outside the viewer's scope");
            await Task.Delay(500);
        }
    }
}
