using Bunit;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Compliance;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

public sealed class ComplianceReportsListTests : PortalTestContext
{
    private readonly StoredReport _report = new(
        Guid.NewGuid(), "prod-weekly", "2026-W47", Start.AddDays(-9), Start.AddDays(-2), [new Scope("111111111111", "*")], Start.AddDays(-2).AddHours(6),
        12, 87.5, "portalops-compliance-prod-weekly-2026-W47.pdf", 4096)
    {
        TelegramChatId = -100123, DeliveredAt = Start.AddDays(-2).AddHours(6),
        EmailTo = ["security@example.test", "ops@example.test"], EmailProblem = "The mail server 127.0.0.1:25 could not be reached (SocketException).",
    };

    public ComplianceReportsListTests() => ComplianceReports.Items.Add((_report, [1, 2, 3]));

    [Fact]
    public void Reports_ReaderWhoseScopeCoversTheReport_SeesItWithItsDownloadLink()
    {
        SignIn("vera", Role.Viewer, new Scope("111111111111", "*"));

        var list = RenderPage<ComplianceReportsList>();

        var row = list.Find("[data-testid=compliance-report-row]");
        Assert.Contains("2026-W47", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("87.5%", row.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/compliance/reports/{_report.Id}.pdf", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("to Telegram", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("e-mail not yet: The mail server 127.0.0.1:25 could not be reached", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_ViewerOfAnotherAccount_SeesNone()
    {
        SignIn("val", Role.Viewer, new Scope("222222222222", "*"));

        var list = RenderPage<ComplianceReportsList>();

        Assert.NotNull(list.Find("[data-testid=compliance-reports-none]"));
        Assert.Empty(list.FindAll("[data-testid=compliance-report-row]"));
    }

    [Fact]
    public void Reports_ReaderOfANarrowerOrOtherScope_SeesNone()
    {
        SignIn("otto", Role.Admin, new Scope("111111111111", "eu-west-1"));

        var list = RenderPage<ComplianceReportsList>();

        Assert.NotNull(list.Find("[data-testid=compliance-reports-none]"));
        Assert.DoesNotContain("prod-weekly", list.Markup, StringComparison.Ordinal);
    }
}
