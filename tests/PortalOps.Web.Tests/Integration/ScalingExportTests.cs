using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The Auto Scaling groups CSV holds the groups the person may see on the Sandbox, with the page's filters, and nothing else.</summary>
public sealed class ScalingExportTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task GroupsCsv_ScopedViewer_HoldsOnlyGroupsInScope_AdminHoldsAll()
    {
        await portal.CreateUserAsync("scaling-admin", Role.Admin);
        await portal.CreateUserAsync("scaling-viewer", Role.Viewer, "000000000000/eu-west-1/env=prod");

        using var viewer = await portal.LoginAsync("scaling-viewer");
        var viewerCsv = await viewer.GetStringAsync("/scaling/groups.csv");
        using var admin = await portal.LoginAsync("scaling-admin");
        var adminCsv = await admin.GetStringAsync("/scaling/groups.csv");
        var filtered = await admin.GetStringAsync("/scaling/groups.csv?text=batch");

        var viewerRows = viewerCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("account,region,group,min,desired,max", viewerRows[0], StringComparison.Ordinal);
        Assert.Equal(["prod-api", "prod-web"], viewerRows.Skip(1).Select(r => r.Split(',')[2]).Order(StringComparer.Ordinal));
        Assert.All(viewerRows.Skip(1), r => Assert.StartsWith("000000000000,eu-west-1,", r, StringComparison.Ordinal));
        Assert.Equal(6, adminCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(2, filtered.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("dev-batch", filtered, StringComparison.Ordinal);
    }
}
