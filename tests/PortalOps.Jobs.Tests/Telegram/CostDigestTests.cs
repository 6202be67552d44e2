using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Costs;
using PortalOps.Jobs.Telegram.Costs;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// The weekly digest, budget and anomaly alerts over the Sandbox's bill, the database and the loopback Bot API: chats subscribe with
/// /digest on, the job sends one digest per chat and week however often it runs, and the watch tells people once per crossing.
/// </summary>
public sealed class CostDigestTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() =>
        _bot = await BotHarness.StartAsync(services: s => s.AddCosts().RemoveAll<CostScanRequests>());

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    private async Task RunAsync<TJob>(Func<TJob, Task> run)
        where TJob : notnull
    {
        await using var scope = _bot.Services.CreateAsyncScope();
        await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }

    [Fact]
    public async Task Digest_RunTwice_SendsOneDigestPerSubscribedChatAndWeek_EachScopedToItsSubscriber()
    {
        var fiona = await _bot.LinkAsync(await _bot.AddUserAsync("fiona", Role.Viewer, "000000000000/*"), 21);
        var rosa = await _bot.LinkAsync(await _bot.AddUserAsync("rosa", Role.Viewer, "111111111111/*"), 22);
        var nina = await _bot.LinkAsync(await _bot.AddUserAsync("nina", Role.Viewer, "000000000000/*"), 23);
        await _bot.AskAsync(fiona, "/digest on", "gets the weekly cost digest");
        await _bot.AskAsync(rosa, "/digest on", "gets the weekly cost digest");

        await RunAsync<CostDigestJob>(j => j.RunAsync(CancellationToken.None));
        await RunAsync<CostDigestJob>(j => j.RunAsync(CancellationToken.None));
        var digest = await _bot.Api.WaitForTextAsync(21, "Cost digest");
        await _bot.Api.WaitForTextAsync(22, "Cost digest");
        await _bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        Assert.Single(_bot.Api.MessagesIn(21), m => m.Text.Contains("Cost digest", StringComparison.Ordinal));
        Assert.Single(_bot.Api.MessagesIn(22), m => m.Text.Contains("Cost digest", StringComparison.Ordinal));
        Assert.DoesNotContain(_bot.Api.MessagesIn(23), m => m.Text.Contains("Cost digest", StringComparison.Ordinal));
        Assert.Contains("Last week:", digest.Text, StringComparison.Ordinal);
        Assert.Contains("Budget <b>Sandbox account</b>", digest.Text, StringComparison.Ordinal);
        var other = _bot.Api.MessagesIn(22).Single(m => m.Text.Contains("Cost digest", StringComparison.Ordinal));
        Assert.Contains("covers a whole account", other.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Last week:", other.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sandbox account", other.Text, StringComparison.Ordinal);
        _ = nina;
    }

    [Fact]
    public async Task Digest_Off_StopsIt()
    {
        var fiona = await _bot.LinkAsync(await _bot.AddUserAsync("fiona", Role.Viewer, "000000000000/*"), 24);
        await _bot.AskAsync(fiona, "/digest on", "gets the weekly cost digest");
        await _bot.AskAsync(fiona, "/digest off", "no longer gets");

        await RunAsync<CostDigest>(async d => Assert.Equal(0, await d.SendAsync()));
    }

    [Fact]
    public async Task Watch_OnTheSandbox_OpensBudgetAndAnomalyAlertsOnce_AndTellsPeopleOnTelegram()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator, "000000000000/*"), 25);

        await RunAsync<CostWatch>(async w =>
        {
            var first = await w.RunAsync();
            var second = await w.RunAsync();
            Assert.Empty(first.Errors);
            Assert.True(first.BudgetAlerts >= 2, $"{first.BudgetAlerts} budget alert(s)");
            Assert.Equal(1, first.Anomalies);
            Assert.Equal((0, 0), (second.BudgetAlerts, second.Anomalies));
        });

        var anomaly = await _bot.Api.WaitForTextAsync(25, "Spend anomaly in 000000000000");
        Assert.Contains("AWS Data Transfer", anomaly.Text, StringComparison.Ordinal);
        await _bot.Api.WaitForTextAsync(25, "Budget Sandbox account: 80 % forecast");
        var open = await _bot.Services.GetRequiredService<IAlertStore>().ListOpenAsync();
        Assert.Single(open, a => a.RuleId == AlertSources.SpendAnomaly);

        // The monitoring cycle leaves them open.
        await using var scope = _bot.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertEngine>().EvaluateAsync();
        Assert.Equal(open.Count, (await _bot.Services.GetRequiredService<IAlertStore>().ListOpenAsync()).Count);
        _ = olga;
    }
}
