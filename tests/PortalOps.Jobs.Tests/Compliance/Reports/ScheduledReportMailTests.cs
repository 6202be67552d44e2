using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Compliance.Reports;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Mail;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Fixtures;
using PortalOps.Jobs.Tests.Persistence;
using PortalOps.Jobs.Tests.Telegram;
using Telegram.Bot;

namespace PortalOps.Jobs.Tests.Compliance.Reports;

/// <summary>
/// Scheduled reports e-mailed by the real MailKit client to a real SMTP server on loopback (npm `smtp-server`), read back as
/// received: recipients, sender, the PDF attachment; failures recorded without the password and retried; Telegram and e-mail
/// recorded apart; and the retention of kept reports.
/// </summary>
public sealed class ScheduledReportMailTests() : StoreTestBase(DatabaseProvider.Sqlite)
{
    private const string Account = "000000000000";
    private const long Chat = -1001234567890;
    private readonly CapturedLogs _logs = new();

    private SmtpReportMailer Mailer(SmtpTestServer smtp, string password = SmtpTestServer.Password)
    {
        var settings = smtp.Settings(password);
        var options = new SmtpOptions
        {
            Host = settings["Smtp:Host"], Port = int.Parse(settings["Smtp:Port"]!, System.Globalization.CultureInfo.InvariantCulture),
            Security = SmtpSecurity.None, UserName = settings["Smtp:UserName"], Password = password, From = settings["Smtp:From"], TimeoutSeconds = 20,
        };
        Assert.True(new SmtpOptionsValidator().Validate(null, options).Succeeded);
        return new SmtpReportMailer(Options.Create(options), new LoggerFactory([_logs]).CreateLogger<SmtpReportMailer>());
    }

    private async Task<(ScheduledComplianceReports Reports, EfComplianceReportStore Store, List<Finding> Open)> BuildAsync(IReportMailer? mailer, BotApiServer? api = null)
    {
        var cloud = new SandboxCloud(Options.Create(new SandboxOptions()), Clock, new FleetEvents());
        var sandbox = new SandboxCompliance(cloud);
        var findings = new EfFindingStore(Database.Contexts);
        var waivers = new EfWaiverStore(Database.Contexts);
        var catalog = new PolicyCatalog(new EfPolicyStore(Database.Contexts), sandbox, cloud, new Tags(), Clock);
        await new ComplianceScanner(sandbox, cloud, catalog, findings, waivers, new Silent(), Clock, new Tags()).ScanAsync();
        var open = await findings.QueryAsync(new FindingQuery { Status = FindingStatus.Open, PageSize = FindingQuery.MaxPageSize, VisibleTo = new ReadScope([], Everything: true) });
        var store = new EfComplianceReportStore(Database.Contexts);
        var builder = new ComplianceReportBuilder(findings, waivers, catalog, null, null, Clock);
        var delivery = api is null ? null : new TelegramReportDelivery(new TelegramBotClient(new TelegramBotClientOptions(BotApiServer.Token, api.BaseUrl) { RetryCount = 0 }));
        return (new ScheduledComplianceReports(builder, new ComplianceReportPdf(), store, delivery, Clock, mailer), store, open.Items.ToList());
    }

    private static ReportSchedule West(IReadOnlyList<string> to, long? chat = null) =>
        new("west-weekly", ReportCadence.Weekly, [new Scope(Account, "eu-west-1")], chat) { EmailTo = to };

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

    private void AssertNoSecretLogged(params string[] secrets)
    {
        Assert.NotEmpty(_logs.Entries);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Run_Twice_EmailsThePdfOnceToEveryRecipientSignedInAndLogsNoPassword()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var (reports, store, open) = await BuildAsync(Mailer(smtp));
        Clock.Advance(TimeSpan.FromDays(3));
        string[] to = ["security@example.test", "Ops Team <ops@example.test>"];

        var first = await reports.RunAsync(West(to));
        var second = await reports.RunAsync(West(to));

        Assert.True(first.Generated);
        Assert.True(first.Emailed, first.Report.EmailProblem);
        Assert.False(first.Delivered);
        Assert.False(second.Emailed);
        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("portalops@example.test", mail.EnvelopeFrom);
        Assert.Equal(["security@example.test", "ops@example.test"], mail.EnvelopeTo);
        Assert.Equal(["security@example.test", "ops@example.test"], mail.Message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("Ops Team", mail.Message.To.Mailboxes.Last().Name);
        Assert.Equal("portalops@example.test", mail.Message.From.Mailboxes.Single().Address);
        Assert.Equal($"PortalOps compliance report west-weekly {first.Report.PeriodKey}", mail.Message.Subject);
        Assert.Contains("west-weekly", mail.Message.TextBody, StringComparison.Ordinal);
        var attachment = Assert.IsType<MimePart>(Assert.Single(mail.Message.Attachments));
        Assert.Equal($"portalops-compliance-west-weekly-{first.Report.PeriodKey}.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        using var received = new MemoryStream();
        await attachment.Content!.DecodeToAsync(received);
        var kept = (await store.OpenAsync(first.Report.Id, new ReadScope([Scope.Everything])))!.Value;
        Assert.Equal(kept.Content, received.ToArray());
        var text = Text(received.ToArray());
        Assert.Contains(open, f => f.Region == "eu-west-1");
        Assert.All(open, f => Assert.Equal(f.Region == "eu-west-1", text.Contains(f.Id.ToString("D"), StringComparison.Ordinal)));
        Assert.Equal([(SmtpTestServer.User, true)], smtp.SignIns);
        Assert.NotNull(kept.Report.EmailedAt);
        Assert.Null(kept.Report.EmailProblem);
        Assert.Equal(["security@example.test", "Ops Team <ops@example.test>"], kept.Report.EmailTo);
        AssertNoSecretLogged(SmtpTestServer.Password);
    }

    [Fact]
    public async Task Run_WrongPassword_RecordsTheRefusalWithoutEitherPasswordAndTheNextRunSendsOnce()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        const string wrong = "not-the-Secret-81d3";
        var (failing, store, _) = await BuildAsync(Mailer(smtp, wrong));

        var failed = await failing.RunAsync(West(["security@example.test"]));

        Assert.True(failed.Generated);
        Assert.False(failed.Emailed);
        Assert.Contains("refused the sign-in of reports", failed.Report.EmailProblem, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, failed.Report.EmailProblem, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
        Assert.NotEmpty(smtp.SignIns);
        Assert.All(smtp.SignIns, s => Assert.Equal((SmtpTestServer.User, false), s));
        var recorded = Assert.Single(await store.ListAsync(new ReadScope([Scope.Everything]), 10));
        Assert.Null(recorded.EmailedAt);
        Assert.Equal(failed.Report.EmailProblem, recorded.EmailProblem);

        var (fixedReports, _, _) = await BuildAsync(Mailer(smtp));
        var retried = await fixedReports.RunAsync(West(["security@example.test"]));
        var third = await fixedReports.RunAsync(West(["security@example.test"]));

        Assert.False(retried.Generated);
        Assert.True(retried.Emailed, retried.Report.EmailProblem);
        Assert.False(third.Emailed);
        Assert.Equal(["security@example.test"], Assert.Single(smtp.Messages).EnvelopeTo);
        Assert.Null(Assert.Single(await store.ListAsync(new ReadScope([Scope.Everything]), 10)).EmailProblem);
        AssertNoSecretLogged(wrong, SmtpTestServer.Password);
    }

    [Fact]
    public async Task Run_RecipientRefused_NamesItAndSendsNothing()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var (reports, _, _) = await BuildAsync(Mailer(smtp));

        var outcome = await reports.RunAsync(West(["security@example.test", "gone@refused.test"]));

        Assert.False(outcome.Emailed);
        Assert.Contains("refused the recipient gone@refused.test (550)", outcome.Report.EmailProblem, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task Run_TelegramFailsAndMailSucceeds_TheNextRunSendsOnlyToTelegram()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var api = await BotApiServer.StartAsync();
        api.FailNextWith("sendDocument", 1, 502);
        var (reports, _, _) = await BuildAsync(Mailer(smtp), api);

        var first = await reports.RunAsync(West(["security@example.test"], Chat));
        var second = await reports.RunAsync(West(["security@example.test"], Chat));

        Assert.False(first.Delivered);
        Assert.True(first.Emailed, first.Report.EmailProblem);
        Assert.True(second.Delivered, second.Report.DeliveryProblem);
        Assert.False(second.Emailed);
        Assert.Single(api.Documents);
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task Run_MailNotConfigured_KeepsTheReportAndRecordsWhy()
    {
        var (reports, store, _) = await BuildAsync(mailer: null);

        var outcome = await reports.RunAsync(West(["security@example.test"]));

        Assert.True(outcome.Generated);
        Assert.False(outcome.Emailed);
        Assert.Contains("Smtp:Host", Assert.Single(await store.ListAsync(new ReadScope([Scope.Everything]), 10)).EmailProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_KeepLast_RemovesOnlyTheOldestOfThatScheduleAndTheirFiles()
    {
        var (reports, store, _) = await BuildAsync(mailer: null);
        var weekly = new ReportSchedule("west-weekly", ReportCadence.Weekly, [new Scope(Account, "eu-west-1")]) { KeepLast = 2 };
        var other = new ReportSchedule("east-weekly", ReportCadence.Weekly, [new Scope(Account, "us-east-1")]);
        var made = new List<StoredReport>();
        var removed = new List<int>();
        for (var week = 0; week < 4; week++)
        {
            if (week > 0)
            {
                Clock.Advance(TimeSpan.FromDays(7));
            }

            var run = await reports.RunAsync(weekly);
            made.Add(run.Report);
            removed.Add(run.Removed);
            await reports.RunAsync(other);
        }

        Assert.Equal([0, 0, 1, 1], removed);
        var everything = new ReadScope([Scope.Everything]);
        var left = await store.ListAsync(everything, 50);
        Assert.Equal([made[3].Id, made[2].Id], left.Where(r => r.Schedule == "west-weekly").Select(r => r.Id));
        Assert.Equal(4, left.Count(r => r.Schedule == "east-weekly"));
        Assert.Null(await store.OpenAsync(made[0].Id, everything));
        Assert.Null(await store.OpenAsync(made[1].Id, everything));
        Assert.NotNull(await store.OpenAsync(made[2].Id, everything));

        // A run again in the same week finds the kept report: the retention never removes the current period's.
        var again = await reports.RunAsync(weekly);
        Assert.False(again.Generated);
        Assert.Equal(made[3].Id, again.Report.Id);
    }

    [Fact]
    public async Task Retention_KeepDays_RemovesOlderReportsOfEverySchedule_ButTheNewestOfEach()
    {
        var (reports, store, _) = await BuildAsync(mailer: null);
        var monthly = new ReportSchedule("account-monthly", ReportCadence.Monthly, [new Scope(Account, "*")]) { KeepDays = 45 };
        var retired = new ReportSchedule("retired-weekly", ReportCadence.Weekly, [new Scope(Account, "us-east-1")]);
        var first = await reports.RunAsync(monthly);
        var retiredOld = await reports.RunAsync(retired);
        Clock.Advance(TimeSpan.FromDays(7));
        var retiredNewest = await reports.RunAsync(retired);
        Clock.Advance(TimeSpan.FromDays(24));
        var second = await reports.RunAsync(monthly);
        Clock.Advance(TimeSpan.FromDays(31));

        var third = await reports.RunAsync(monthly);

        Assert.Equal(0, second.Removed);
        Assert.Equal(2, third.Removed);
        var left = (await store.ListAsync(new ReadScope([Scope.Everything]), 50)).Select(r => r.Id).ToList();
        Assert.Equal([third.Report.Id, second.Report.Id, retiredNewest.Report.Id], left);
        Assert.DoesNotContain(first.Report.Id, left);
        Assert.DoesNotContain(retiredOld.Report.Id, left);
    }

    [Fact]
    public void Options_MailAndRetentionMistakes_AreRefusedNamingTheKeyAndNeverThePassword()
    {
        var reports = new ComplianceReportsOptions
        {
            KeepDays = 0,
            Schedules =
            [
                new ReportScheduleOptions { Name = "a", Scopes = ["000000000000/*"], EmailTo = ["security@example.test", "not an address"], KeepLast = 0 },
            ],
        };
        var noSmtp = Options.Create(new SmtpOptions());

        var errors = new ComplianceReportsOptionsValidator(noSmtp).Validate(null, reports).Failures!.ToList();

        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:0:EmailTo:1 'not an address'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:0:EmailTo names addresses but no mail server", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:Schedules:0:KeepLast", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ComplianceReports:KeepDays", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("security@example.test", StringComparison.Ordinal));

        var smtp = new SmtpOptions { Host = "mail.example.test", From = "nobody", Password = "hunter2-Secret", Port = 0 };
        var smtpErrors = new SmtpOptionsValidator().Validate(null, smtp).Failures!.ToList();

        Assert.Contains(smtpErrors, e => e.StartsWith("Smtp:From 'nobody' is not an e-mail address", StringComparison.Ordinal));
        Assert.Contains(smtpErrors, e => e.StartsWith("Smtp:Password is set without Smtp:UserName", StringComparison.Ordinal));
        Assert.Contains(smtpErrors, e => e.StartsWith("Smtp:Port", StringComparison.Ordinal));
        Assert.DoesNotContain(smtpErrors, e => e.Contains("hunter2", StringComparison.Ordinal));
        Assert.True(new SmtpOptionsValidator().Validate(null, new SmtpOptions()).Succeeded);
        Assert.Equal(["a@example.test"], new ComplianceReportsOptions { KeepLast = 3, Schedules = [new ReportScheduleOptions { Name = "a", Scopes = ["*/*"], EmailTo = [" a@example.test ", ""] }] }
            .ToSchedules().Single().EmailTo);
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
