using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using UglyToad.PdfPig;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// Patch compliance leaves the portal in two files: <c>/patching/compliance.csv</c> (the Compliance page's table) and the compliance
/// PDF's patch section. Both hold what the reader's scope covers and nothing else, counted by severity.
/// </summary>
public sealed class PatchingExportTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Account = "444455556666";

    private async Task<(string Critical, string Clean, string East)> StoreStatesAsync()
    {
        var now = portal.Clock.GetUtcNow();
        InstancePatchState State(string region, string id, int critical, int security) =>
            new(new InstanceRef(Account, region, id), $"patch-{id[^4..]}", Footprint.Of(Account, region, new Dictionary<string, string> { ["env"] = "prod" }), "prod",
                new AgentStatus(new InstanceRef(Account, region, id), AgentPing.Online, "Amazon Linux", "3.3.40.0", now, null, null))
            {
                Installed = 40, Missing = critical + security, CriticalNonCompliant = critical, SecurityNonCompliant = security, LastScanAt = now.AddHours(-1), UpdatedAt = now,
            };

        var critical = "i-0a1b2c3d4e5f60001";
        var clean = "i-0a1b2c3d4e5f60002";
        var east = "i-0a1b2c3d4e5f60003";
        using var scope = portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IPatchStateStore>().UpsertAsync(
            [State("eu-west-1", critical, 2, 0), State("eu-west-1", clean, 0, 0), State("us-east-1", east, 0, 3)]);
        return (critical, clean, east);
    }

    [Fact]
    public async Task ComplianceCsv_ScopedViewer_HoldsOnlyItsRegion_AdminHoldsBoth()
    {
        var (critical, clean, east) = await StoreStatesAsync();
        await portal.CreateUserAsync("patch-csv-admin", Role.Admin);
        await portal.CreateUserAsync("patch-csv-west", Role.Viewer, $"{Account}/eu-west-1");

        using var west = await portal.LoginAsync("patch-csv-west");
        using var admin = await portal.LoginAsync("patch-csv-admin");
        var response = await west.GetAsync("/patching/compliance.csv?by=Instance");
        var westInstances = await response.Content.ReadAsStringAsync();
        var westRegions = await west.GetStringAsync("/patching/compliance.csv?by=Region");
        var adminRegions = await admin.GetStringAsync("/patching/compliance.csv?by=Region");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("portalops-patch-compliance.csv", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var rows = westInstances.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Instance,Compliant,NonCompliantCritical,NonCompliantSecurity,NonCompliantOther,Unknown,Total", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.Contains(rows, r => r.Contains(critical, StringComparison.Ordinal) && r.EndsWith(",0,1,0,0,0,1", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(clean, StringComparison.Ordinal) && r.EndsWith(",1,0,0,0,0,1", StringComparison.Ordinal));
        Assert.DoesNotContain(east, westInstances, StringComparison.Ordinal);
        Assert.Equal(["Region,Compliant,NonCompliantCritical,NonCompliantSecurity,NonCompliantOther,Unknown,Total", $"{Account}/eu-west-1,1,1,0,0,0,2"],
            westRegions.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{Account}/eu-west-1,1,1,0,0,0,2", adminRegions, StringComparison.Ordinal);
        Assert.Contains($"{Account}/us-east-1,0,0,1,0,0,1", adminRegions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComplianceCsv_Anonymous_IsNotServed()
    {
        using var anonymous = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await anonymous.GetAsync("/patching/compliance.csv");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CompliancePdf_HasThePatchSection_WithTheReadersRegionsOnly()
    {
        await StoreStatesAsync();
        await portal.CreateUserAsync("patch-pdf-admin", Role.Admin);
        await portal.CreateUserAsync("patch-pdf-west", Role.Viewer, $"{Account}/eu-west-1");

        using var west = await portal.LoginAsync("patch-pdf-west");
        using var admin = await portal.LoginAsync("patch-pdf-admin");
        var westText = Text(await west.GetByteArrayAsync("/compliance/report.pdf"));
        var adminText = Text(await admin.GetByteArrayAsync("/compliance/report.pdf"));

        var westPatches = westText[westText.LastIndexOf("Patch compliance", StringComparison.Ordinal)..];
        Assert.Contains("Instances by patch state, per account and region", westPatches, StringComparison.Ordinal);
        Assert.Contains($"{Account}/eu-west-1", westPatches, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Account}/us-east-1", westText, StringComparison.Ordinal);
        Assert.Contains("50.0% of 2 instance(s) with a known state", westText, StringComparison.Ordinal);
        var adminPatches = adminText[adminText.LastIndexOf("Patch compliance", StringComparison.Ordinal)..];
        Assert.Contains($"{Account}/eu-west-1", adminPatches, StringComparison.Ordinal);
        Assert.Contains($"{Account}/us-east-1", adminPatches, StringComparison.Ordinal);
    }

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var text = new StringBuilder();
        foreach (var page in document.GetPages())
        {
            text.Append(page.Text);
        }

        return text.ToString();
    }
}
