using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// Two nodes of the back end on one PostgreSQL database and one loopback Bot API server: exactly one fetches updates, and when
/// it stops, or its database session is cut as when its machine dies, the other takes over within 30 s.
/// </summary>
[Trait("Category", "Peer")]
public sealed class PollerLeaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(30);
    private readonly List<IHost> _hosts = [];
    private BotApiServer _api = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _api = await BotApiServer.StartAsync();
        _database = await TestDatabase.CreatePostgresAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
        {
            await StopAsync(host);
        }

        await _api.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Poll_TwoNodes_OnlyOnePollsAndTheOtherTakesOverWhenItStops()
    {
        var first = await StartNodeAsync();
        await WaitForModeAsync(first, BotMode.Polling, "the first node to poll");
        var second = await StartNodeAsync();
        await WaitForModeAsync(second, BotMode.SendOnly, "the second node to stand by");

        // For a while, it stays that way, and an update is answered once.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal((BotMode.Polling, BotMode.SendOnly), (Status(first).Mode, Status(second).Mode));
        await AnsweredOnceAsync(new TelegramUser(7001, "Ann"));

        var stopped = Stopwatch.StartNew();
        await StopAsync(first);
        await WaitForModeAsync(second, BotMode.Polling, "the second node to take over");

        Assert.True(stopped.Elapsed < Handover, $"took {stopped.Elapsed.TotalSeconds:0.0} s");
        await AnsweredOnceAsync(new TelegramUser(7002, "Bob"));
    }

    [Fact]
    public async Task Poll_HolderLosesItsSession_OtherTakesOverAndTheHolderStops()
    {
        var first = await StartNodeAsync();
        await WaitForModeAsync(first, BotMode.Polling, "the first node to poll");
        var second = await StartNodeAsync();
        await WaitForModeAsync(second, BotMode.SendOnly, "the second node to stand by");

        var cut = Stopwatch.StartNew();
        Assert.Equal(1, await TerminateLeaseSessionAsync());
        await WaitForModeAsync(second, BotMode.Polling, "the second node to take over");
        await WaitForModeAsync(first, BotMode.SendOnly, "the first node to stop polling");

        Assert.True(cut.Elapsed < Handover, $"took {cut.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal((BotMode.SendOnly, BotMode.Polling), (Status(first).Mode, Status(second).Mode));
        await AnsweredOnceAsync(new TelegramUser(7003, "Cem"));
    }

    private async Task AnsweredOnceAsync(TelegramUser person)
    {
        _api.Write(person, "/help");
        await _api.WaitForMessageAsync(person.Id, _ => true, "an answer to /help", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(_api.MessagesIn(person.Id));
    }

    private static TelegramStatus Status(IHost host) => host.Services.GetRequiredService<TelegramStatus>();

    private static async Task WaitForModeAsync(IHost host, BotMode mode, string what) =>
        await TestHost.WaitUntilAsync(() => Task.FromResult(Status(host).Mode == mode), Handover, $"{what} ({Status(host).Mode}: {Status(host).Problem})");

    /// <summary>Ends the database session that holds the poller's advisory lock, as the server does when the holder's machine vanishes.</summary>
    private async Task<int> TerminateLeaseSessionAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = @high AND objid = @low
            """, connection);
        command.Parameters.AddWithValue("high", (long)(PollerLease.Key >>> 32) & 0xFFFFFFFF);
        command.Parameters.AddWithValue("low", PollerLease.Key & 0xFFFFFFFF);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<IHost> StartNodeAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = _database.DataDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(_database.Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telegram:Token"] = BotApiServer.Token,
            ["Telegram:ApiBaseUrl"] = _api.BaseUrl,
            ["Telegram:PollTimeoutSeconds"] = "1",
        });
        builder.Configuration.AddInMemoryCollection(BotHarness.FastSettings());
        builder.Services.AddLogging();
        builder.Services.AddDomain();
        builder.Services.AddSingleton<IFleetEvents, FleetEvents>();
        builder.Services.AddSandbox();
        builder.Services.AddPersistence(builder.Configuration, builder.Environment);
        builder.Services.AddTelegram(builder.Configuration);
        builder.Services.AddMonitoring();
        builder.Services.AddSingleton<InlineActionScheduler>();
        builder.Services.AddSingleton<IActionScheduler>(sp => sp.GetRequiredService<InlineActionScheduler>());
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private async Task StopAsync(IHost host)
    {
        if (_hosts.Remove(host))
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }
    }
}
