using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;
using UglyToad.PdfPig;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// GET /compliance/report.pdf over the sandbox's findings: each reader's PDF holds exactly the open findings their scope covers,
/// the page's filters narrow it, a bad period is refused with the reason, and the download is audited.
/// </summary>
public sealed class ComplianceReportDownloadTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Account = "000000000000";

    private async Task<List<Finding>> ScanAsync()
    {
        using var scope = portal.Services.CreateScope();

        // The scan a node asks for at start may be running too; the loser of that race finds the findings stored and scans again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await scope.ServiceProvider.GetRequiredService<ComplianceScanner>().ScanAsync();
                break;
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }

        var page = await scope.ServiceProvider.GetRequiredService<IFindingStore>().QueryAsync(
            new FindingQuery { Status = FindingStatus.Open, PageSize = FindingQuery.MaxPageSize, VisibleTo = new ReadScope([], Everything: true) });
        return page.Items.ToList();
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

    [Fact]
    public async Task Report_ReadersOfDifferentScopes_EachGetOnlyTheOpenFindingsTheyMaySee()
    {
        var open = await ScanAsync();
        Assert.Contains(open, f => f.Region == "eu-west-1");
        Assert.Contains(open, f => f.Region != "eu-west-1");
        await portal.CreateUserAsync("pdf-admin", Role.Admin);
        await portal.CreateUserAsync("pdf-west", Role.Viewer, $"{Account}/eu-west-1");
        await portal.CreateUserAsync("pdf-other", Role.Viewer, "111111111111/*");

        using var admin = await portal.LoginAsync("pdf-admin");
        using var west = await portal.LoginAsync("pdf-west");
        using var other = await portal.LoginAsync("pdf-other");
        var adminResponse = await admin.GetAsync("/compliance/report.pdf");
        var adminText = Text(await adminResponse.Content.ReadAsByteArrayAsync());
        var westText = Text(await west.GetByteArrayAsync("/compliance/report.pdf"));
        var otherText = Text(await other.GetByteArrayAsync("/compliance/report.pdf"));

        Assert.Equal("application/pdf", adminResponse.Content.Headers.ContentType?.MediaType);
        Assert.All(open, f => Assert.Contains(f.Id.ToString("D"), adminText, StringComparison.Ordinal));
        Assert.All(open, f =>
        {
            if (f.Region == "eu-west-1")
            {
                Assert.Contains(f.Id.ToString("D"), westText, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain(f.Id.ToString("D"), westText, StringComparison.Ordinal);
            }
        });
        Assert.Contains($"{Account}/eu-west-1", westText, StringComparison.Ordinal);
        Assert.All(open, f => Assert.DoesNotContain(f.Id.ToString("D"), otherText, StringComparison.Ordinal));
        Assert.Contains("No open findings within this scope", otherText, StringComparison.Ordinal);
        Assert.Contains("111111111111/*", otherText, StringComparison.Ordinal);
        Assert.Contains(await portal.AuditAsync(), r => r.Event.Action == "compliance.report" && r.Event.ActorName == "pdf-west");
    }

    [Fact]
    public async Task Report_WithThePagesFilters_ListsOnlyThatPolicy()
    {
        var open = await ScanAsync();
        var policy = open.GroupBy(f => f.PolicyId).OrderByDescending(g => g.Count()).First().Key;
        await portal.CreateUserAsync("pdf-filter", Role.Viewer, "*/*");
        using var client = await portal.LoginAsync("pdf-filter");

        var text = Text(await client.GetByteArrayAsync($"/compliance/report.pdf?policy={policy}"));

        Assert.All(open, f =>
        {
            if (f.PolicyId == policy)
            {
                Assert.Contains(f.Id.ToString("D"), text, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain(f.Id.ToString("D"), text, StringComparison.Ordinal);
            }
        });
        Assert.Contains($"policy {policy}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeptReport_OpensForAReaderCoveringItsScopeAndIsNotFoundForAnyoneElse()
    {
        var kept = new StoredReport(
            Guid.NewGuid(), "west-weekly", "2026-W01", portal.Clock.GetUtcNow().AddDays(-7), portal.Clock.GetUtcNow(), [new Scope(Account, "eu-west-1")],
            portal.Clock.GetUtcNow(), 3, 90, "portalops-compliance-west-weekly-2026-W01.pdf", 8);
        using (var scope = portal.Services.CreateScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IComplianceReportStore>().TryAddAsync(kept, Encoding.ASCII.GetBytes("%PDF-1.7")));
        }

        await portal.CreateUserAsync("kept-west", Role.Viewer, $"{Account}/eu-west-1");
        await portal.CreateUserAsync("kept-east", Role.Admin, $"{Account}/us-east-1");
        using var west = await portal.LoginAsync("kept-west");
        using var east = await portal.LoginAsync("kept-east");

        var mine = await west.GetAsync($"/compliance/reports/{kept.Id}.pdf");
        var notMine = await east.GetAsync($"/compliance/reports/{kept.Id}.pdf");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal("%PDF-1.7", await mine.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, notMine.StatusCode);
    }

    [Fact]
    public async Task Report_PeriodEndingBeforeItStarts_IsRefusedWithTheReason()
    {
        await portal.CreateUserAsync("pdf-bad", Role.Viewer, "*/*");
        using var client = await portal.LoginAsync("pdf-bad");

        var response = await client.GetAsync("/compliance/report.pdf?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must lie before its end", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
