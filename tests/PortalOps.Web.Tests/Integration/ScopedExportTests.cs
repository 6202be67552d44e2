using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The audit CSV export holds the same rows the Audit page shows the person: in-scope records and their own, nothing else.</summary>
public sealed class ScopedExportTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string ViewerScope = "000000000000/eu-west-1/env=dev";

    [Fact]
    public async Task AuditExport_ScopedViewer_HoldsOnlyInScopeRows_AdminHoldsAll()
    {
        var admin = await portal.CreateUserAsync("export-admin", Role.Admin);
        await portal.CreateUserAsync("export-viewer", Role.Viewer, ViewerScope);
        Instance inside, otherRegion, otherTag;
        using (var scope = portal.Services.CreateScope())
        {
            var fleet = (await scope.ServiceProvider.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { PageSize = InstanceQuery.MaxPageSize })).Items
                .Where(i => i.State == InstanceState.Running).ToList();
            inside = fleet.First(i => i.Region == "eu-west-1" && i.Tags.GetValueOrDefault("env") == "dev");
            otherRegion = fleet.First(i => i.Region == "us-east-1" && i.Tags.GetValueOrDefault("env") == "dev");
            otherTag = fleet.First(i => i.Region == "eu-west-1" && i.Tags.GetValueOrDefault("env") == "prod");
            var pipeline = scope.ServiceProvider.GetRequiredService<ActionPipeline>();
            foreach (var instance in new[] { inside, otherRegion, otherTag })
            {
                await pipeline.SubmitAsync(admin.AsActor(Channel.Web), new ActionRequest(ActionKind.RebootInstances, [instance.Ref]));
            }
        }

        using var viewer = await portal.LoginAsync("export-viewer");
        var viewerCsv = await viewer.GetStringAsync("/audit/export.csv");
        using var adminClient = await portal.LoginAsync("export-admin");
        var adminCsv = await adminClient.GetStringAsync("/audit/export.csv");

        var rows = viewerCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Contains(rows, r => r.Contains(inside.InstanceId, StringComparison.Ordinal) && r.Contains("instances.reboot", StringComparison.Ordinal));
        Assert.DoesNotContain(otherRegion.InstanceId, viewerCsv, StringComparison.Ordinal);
        Assert.DoesNotContain(otherTag.InstanceId, viewerCsv, StringComparison.Ordinal);
        // Every row is either about the instance in scope or the viewer's own (their login).
        Assert.All(rows, r => Assert.True(r.Contains(inside.InstanceId, StringComparison.Ordinal) || r.Contains("export-viewer", StringComparison.Ordinal), r));
        Assert.DoesNotContain("export-admin,Web,auth.login", viewerCsv, StringComparison.Ordinal);

        foreach (var instance in new[] { inside, otherRegion, otherTag })
        {
            Assert.Contains(instance.InstanceId, adminCsv, StringComparison.Ordinal);
        }

        Assert.Contains("export-viewer", adminCsv, StringComparison.Ordinal);
    }
}
