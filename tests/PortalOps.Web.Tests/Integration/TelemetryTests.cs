using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Scheduling;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Jobs.Tests.Telegram;
using PortalOps.Web.Configuration;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// The Prometheus scrape endpoint on the whole host: off by default, and with it on, the portal's named metrics are there.
/// Run alone: an exporter listens to every meter of its name in the process, so other hosts' figures would mix in.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed partial class TelemetryTests
{
    [Fact]
    public async Task Metrics_Default_EndpointIsNotThere()
    {
        using var portal = new PortalFactory();
        await portal.CreateUserAsync("metrics-admin", Role.Admin);
        var client = await portal.LoginAsync("metrics-admin");

        var response = await client.GetAsync("/metrics");

        // Signed in, so a 404 is the portal's "no such page", not a redirect to the login page.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("# TYPE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_PrometheusOn_ScrapeFindsRequestsJobsOutboxAndPendingApprovals()
    {
        await using var api = await BotApiServer.StartAsync();
        using var portal = new PortalFactory()
            .With("Telemetry:Prometheus:Enabled", "true")
            .With("Telegram:Token", BotApiServer.Token)
            .With("Telegram:ApiBaseUrl", api.BaseUrl)
            .With("Telegram:WebhookUrl", "https://portal.example.com/telegram/webhook")
            .With("Telegram:Outbox:ChatInterval", "00:00:00")
            .With("Compliance:ScanAtStart", "false")
            .With("Monitoring:Enabled", "false")
            .With("Patching:SeedSandbox", "false");
        var anonymous = portal.AnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/login")).StatusCode);

        // One request waiting for a decision.
        var op = await portal.CreateUserAsync("metrics-operator", Role.Operator);
        var target = (await portal.Services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { State = InstanceState.Stopped, PageSize = 1 })).Items[0].Ref;
        using (var scope = portal.Services.CreateScope())
        {
            var requested = await scope.ServiceProvider.GetRequiredService<ActionPipeline>()
                .SubmitAsync(op.AsActor(Channel.Web), new ActionRequest(ActionKind.TerminateInstances, [target]));
            Assert.Equal(ActionStatus.PendingApproval, requested.Status);
        }

        var pending = await portal.Services.GetRequiredService<IApprovalStore>().CountPendingAsync();

        // One 429 from Telegram, retried after retry_after.
        api.FailNext("sendMessage", 1, retryAfterSeconds: 1);
        var outbox = portal.Services.GetRequiredService<TelegramOutbox>();
        Assert.True(outbox.Enqueue(new OutboundMessage(4242, "metrics test")));
        await outbox.DrainAsync(TimeSpan.FromSeconds(20));

        // One job run on this node's Hangfire server, and one that fails.
        portal.Services.GetRequiredService<IRecurringJobManager>().Trigger(RecurringJobs.ExpireApprovals);
        portal.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => FailingJob.Run());

        var text = await ScrapeUntilAsync(anonymous, t => t.Contains("job=\"ExpireApprovalsJob.RunAsync\"", StringComparison.Ordinal)
                                                          && t.Contains("portalops_hangfire_job_failures_total{", StringComparison.Ordinal));

        Assert.Matches(Sample("http_server_request_duration_seconds_count", "http_route=\"/login\""), text);
        Assert.Matches(Sample("portalops_hangfire_job_duration_seconds_count", "job=\"ExpireApprovalsJob.RunAsync\""), text);
        Assert.Matches(Sample("portalops_hangfire_job_failures_total", "job=\"FailingJob.Run\""), text);
        Assert.Matches(Sample("portalops_hangfire_job_duration_seconds_count", "outcome=\"failed\""), text);
        Assert.Equal(pending, Value(text, "portalops_approvals_pending"));
        Assert.True(pending >= 1);
        Assert.Equal(0, Value(text, "portalops_telegram_outbox_depth"));
        Assert.Equal(1, Value(text, "portalops_telegram_rate_limited_total"));
        Assert.DoesNotContain(BotApiServer.Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OtherPath_ServedThereAnonymously()
    {
        using var portal = new PortalFactory().With("Telemetry:Prometheus:Enabled", "true").With("Telemetry:Prometheus:Path", "/internal/metrics");

        var response = await portal.AnonymousClient().GetAsync("/internal/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("portalops_telegram_outbox_depth", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Telemetry:Otlp:Endpoint", "collector:4317", "Telemetry:Otlp:Endpoint")]
    [InlineData("Telemetry:Otlp:Protocol", "udp", "Telemetry:Otlp:Protocol")]
    [InlineData("Telemetry:Prometheus:Path", "metrics", "Telemetry:Prometheus:Path")]
    public void Start_InvalidTelemetrySetting_FailsNamingTheKey(string key, string value, string named)
    {
        using var portal = new PortalFactory().With("Telemetry:Prometheus:Enabled", "true").With(key, value);

        var error = Assert.ThrowsAny<Exception>(() => portal.CreateClient());

        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.telegram.org/bot123456789:ABC-def_GHI/sendMessage", "https://api.telegram.org/bot{token}/sendMessage")]
    [InlineData("/setup?token=s3cr3t&x=1", "/setup?token=Redacted&x=1")]
    [InlineData("/instances?page=2", "/instances?page=2")]
    public void Redact_SecretsInUrls_Replaced(string url, string expected) =>
        Assert.Equal(expected, Telemetry.SecretRedaction.Redact(url));

    /// <summary>A job that always fails, for the failure counter.</summary>
    public static class FailingJob
    {
        public static void Run() => throw new InvalidOperationException("This job fails on purpose.");
    }

    private static async Task<string> ScrapeUntilAsync(HttpClient client, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            if (done(text) || DateTime.UtcNow > deadline)
            {
                return text;
            }

            await Task.Delay(250);
        }
    }

    private static Regex Sample(string name, string label) => new($"(?m)^{Regex.Escape(name)}\\{{[^}}]*{Regex.Escape(label)}[^}}]*\\}} [1-9]");

    private static double Value(string text, string name)
    {
        var match = Regex.Match(text, $"(?m)^{Regex.Escape(name)}(\\{{[^}}]*\\}})? (?<v>[0-9.eE+-]+)");
        Assert.True(match.Success, $"{name} is not in the scrape:\n{text}");
        return double.Parse(match.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry (alone)";
}
