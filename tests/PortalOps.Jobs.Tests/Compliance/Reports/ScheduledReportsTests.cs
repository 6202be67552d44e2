using System.Text;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Compliance.Reports;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Persistence;
using PortalOps.Jobs.Tests.Telegram;
using Telegram.Bot;

namespace PortalOps.Jobs.Tests.Compliance.Reports;

/// <summary>
/// Scheduled reports over the sandbox's findings in a real database, delivered by the real Telegram.Bot client to the loopback
/// Bot API server as a document: kept once per schedule and period, sent once, sent again after a failed delivery, scoped.
/// </summary>
public sealed class ScheduledReportsTests() : StoreTestBase(DatabaseProvider.Sqlite)
{
    private const string Account = "000000000000";
    private const long Chat = -1001234567890;

    private async Task<(ScheduledComplianceReports Reports, EfComplianceReportStore Store, List<Finding> Open)> BuildAsync(BotApiServer? api)
    {
        var cloud = new SandboxCloud(Options.Create(new SandboxOptions()), Clock, new FleetEvents());
        var sandbox = new SandboxCompliance(cloud);
        var findings = new EfFindingStore(Database.Contexts);
        var waivers = new EfWaiverStore(Database.Contexts);
        var catalog = new PolicyCatalog(new EfPolicyStore(Database.Contexts), sandbox, cloud, new Tags(), Clock);
        await new ComplianceScanner(sandbox, cloud, catalog, findings, waivers, new Silent(), Clock, new Tags()).ScanAsync();
        var open = await findings.QueryAsync(new FindingQuery { Status = FindingStatus.Open, PageSize = FindingQuery.MaxPageSize, VisibleTo = new ReadScope([], Everything: true) });
        var store = new EfComplianceReportStore(Database.Contexts);
        var builder = new ComplianceReportBuilder(findings, waivers, catalog, null, new EfPatchStateStore(Database.Contexts, Clock), Clock);
        var delivery = api is null ? null : new TelegramReportDelivery(new TelegramBotClient(new TelegramBotClientOptions(BotApiServer.Token, api.BaseUrl) { RetryCount = 0 }));
        return (new ScheduledComplianceReports(builder, new ComplianceReportPdf(), store, delivery, Clock), store, open.Items.ToList());
    }

    private static ReportSchedule West(long? chat = Chat) => new("west-weekly", ReportCadence.Weekly, [new Scope(Account, "eu-west-1")], chat);

    private static string Text(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var text = new StringBuilder();
        foreach (var page in document.GetPages())
        {
            text.Append(page.Text);
        }

        return text.ToString();
    }

    [Fact]
    public async Task Run_Twice_KeepsOneReportAndSendsOneDocumentWithOnlyTheSchedulesScope()
    {
        await using var api = await BotApiServer.StartAsync();
        var (reports, store, open) = await BuildAsync(api);
        Clock.Advance(TimeSpan.FromDays(3));

        var first = await reports.RunAsync(West());
        var second = await reports.RunAsync(West());

        Assert.True(first.Generated);
        Assert.True(first.Delivered, first.Report.DeliveryProblem);
        Assert.False(second.Generated);
        Assert.False(second.Delivered);
        Assert.Equal(first.Report.Id, second.Report.Id);
        var document = Assert.Single(api.Documents);
        Assert.Equal(Chat, document.ChatId);
        Assert.Equal($"portalops-compliance-west-weekly-{first.Report.PeriodKey}.pdf", document.FileName);
        Assert.Contains("west-weekly", document.Caption, StringComparison.Ordinal);
        var text = Text(document.Content);
        Assert.All(open, f =>
        {
            if (f.Region == "eu-west-1")
            {
                Assert.Contains(f.Id.ToString("D"), text, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain(f.Id.ToString("D"), text, StringComparison.Ordinal);
            }
        });
        var kept = Assert.Single(await store.ListAsync(new ReadScope([Scope.Everything]), 10));
        Assert.NotNull(kept.DeliveredAt);
        Assert.Equal(document.Content, (await store.OpenAsync(kept.Id, new ReadScope([Scope.Everything])))!.Value.Content);
    }

    [Fact]
    public async Task Run_AfterAFailedDelivery_KeepsTheReportAndTheNextRunSendsItOnce()
    {
        await using var api = await BotApiServer.StartAsync();
        var (reports, store, _) = await BuildAsync(api);
        api.FailNextWith("sendDocument", 1, 502);

        var failed = await reports.RunAsync(West());
        var retried = await reports.RunAsync(West());
        var third = await reports.RunAsync(West());

        Assert.True(failed.Generated);
        Assert.False(failed.Delivered);
        Assert.Contains("502", failed.Report.DeliveryProblem, StringComparison.Ordinal);
        Assert.False(retried.Generated);
        Assert.True(retried.Delivered, retried.Report.DeliveryProblem);
        Assert.False(third.Delivered);
        Assert.Single(api.Documents);
        Assert.Equal(2, api.CallsOf("sendDocument").Count);
        Assert.Null(Assert.Single(await store.ListAsync(new ReadScope([Scope.Everything]), 10)).DeliveryProblem);
    }

    [Fact]
    public async Task KeptReport_ReaderOfANarrowerScope_NeitherListsNorOpensIt()
    {
        var (reports, store, _) = await BuildAsync(api: null);
        var wide = await reports.RunAsync(new ReportSchedule("account-monthly", ReportCadence.Monthly, [new Scope(Account, "*")]));

        var westOnly = new ReadScope([new Scope(Account, "eu-west-1")]);
        var otherAccount = new ReadScope([new Scope("111111111111", "*")]);
        var sameAccount = new ReadScope([new Scope(Account, "*")]);

        Assert.Empty(await store.ListAsync(westOnly, 10));
        Assert.Null(await store.OpenAsync(wide.Report.Id, westOnly));
        Assert.Empty(await store.ListAsync(otherAccount, 10));
        Assert.Null(await store.OpenAsync(wide.Report.Id, otherAccount));
        Assert.Single(await store.ListAsync(sameAccount, 10));
        Assert.NotNull(await store.OpenAsync(wide.Report.Id, sameAccount));
        Assert.Null(wide.Report.DeliveredAt);
    }

    [Fact]
    public async Task Builder_ExceptionOverAFindingInOneRegion_AppearsOnlyInReportsThatMaySeeIt()
    {
        var cloud = new SandboxCloud(Options.Create(new SandboxOptions()), Clock, new FleetEvents());
        var sandbox = new SandboxCompliance(cloud);
        var findings = new EfFindingStore(Database.Contexts);
        var waivers = new EfWaiverStore(Database.Contexts);
        var catalog = new PolicyCatalog(new EfPolicyStore(Database.Contexts), sandbox, cloud, new Tags(), Clock);
        var scanner = new ComplianceScanner(sandbox, cloud, catalog, findings, waivers, new Silent(), Clock, new Tags());
        await scanner.ScanAsync();
        var west = (await findings.QueryAsync(new FindingQuery { Status = FindingStatus.Open, Region = "eu-west-1", PageSize = 1, VisibleTo = new ReadScope([Scope.Everything]) })).Items[0];
        await waivers.AddAsync(Waiver.Grant(west.PolicyId, west.Id, null, null, "decommissioned next sprint", "ana", Clock.GetUtcNow().AddDays(5), "bob", Clock.GetUtcNow()));
        await scanner.ApplyWaiversAsync();
        var builder = new ComplianceReportBuilder(findings, waivers, catalog, null, null, Clock);

        ComplianceReportRequest For(Scope scope) => new(scope.ToString(), new ReadScope([scope]), Clock.GetUtcNow().AddDays(-7), Clock.GetUtcNow(), "test");
        var westReport = await builder.BuildAsync(For(new Scope(Account, "eu-west-1")));
        var eastReport = await builder.BuildAsync(For(new Scope(Account, "us-east-1")));

        var exception = Assert.Single(westReport.Exceptions);
        Assert.Equal(1, exception.FindingsCovered);
        Assert.True(exception.ExpiresSoon);
        Assert.Contains(west.ResourceId, exception.Covers, StringComparison.Ordinal);
        Assert.DoesNotContain(westReport.OpenFindings, f => f.Id == west.Id);
        Assert.Empty(eastReport.Exceptions);
        Assert.All(eastReport.OpenFindings, f => Assert.Equal("us-east-1", f.Region));
        Assert.All(westReport.ByScope, s => Assert.EndsWith("/eu-west-1", s.Group, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2026-12-02T10:00:00Z", ReportCadence.Weekly, "2026-W48", "2026-11-23", "2026-11-30")]
    [InlineData("2026-11-30T00:00:00Z", ReportCadence.Weekly, "2026-W48", "2026-11-23", "2026-11-30")]
    [InlineData("2027-01-03T23:59:00Z", ReportCadence.Weekly, "2026-W52", "2026-12-21", "2026-12-28")]
    [InlineData("2026-12-02T10:00:00Z", ReportCadence.Monthly, "2026-11", "2026-11-01", "2026-12-01")]
    [InlineData("2027-01-01T06:00:00Z", ReportCadence.Monthly, "2026-12", "2026-12-01", "2027-01-01")]
    public void Period_LastWhole_IsTheWeekOrMonthBeforeNow(string now, ReportCadence cadence, string key, string from, string to)
    {
        var period = ReportPeriod.LastWhole(cadence, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(key, period.Key);
        Assert.Equal(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.FromDateTime(period.From.UtcDateTime));
        Assert.Equal(DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), DateOnly.FromDateTime(period.To.UtcDateTime));
    }

    [Fact]
    public void Options_BadSchedules_AreRefusedNamingTheKey()
    {
        var options = new ComplianceReportsOptions
        {
            Schedules =
            [
                new ReportScheduleOptions { Name = "Prod Weekly", Scopes = ["000000000000/*"] },
                new ReportScheduleOptions { Name = "ok", Scopes = ["nonsense"], TelegramChatId = 0 },
                new ReportScheduleOptions { Name = "ok", Scopes = [] },
            ],
        };

        var result = new ComplianceReportsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var errors = result.Failures!.ToList();
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:0:Name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:1:Scopes:0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:1:TelegramChatId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:2:Name 'ok' is used", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:2:Scopes", StringComparison.Ordinal));
    }

    private sealed class Tags : ITagGovernance
    {
        public IReadOnlyList<string> RequiredTagKeys { get; } = ["owner"];
    }

    private sealed class Silent : IComplianceNotifier
    {
        public Task NotifyAsync(IReadOnlyList<Finding> newHighSeverity, IReadOnlyList<(Waiver Waiver, IReadOnlyList<Finding> Reopened)> expired, CancellationToken cancellationToken = default) =>
            Task.CompletedTask;
    }
}
