using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Jobs.Tests.Telegram;
using Telegram.Bot;
using Telegram.Bot.Types;

// Two figures for the Telegram budget (docs/performance.md):
//  1. update handling time: from an update arriving to its reply queued, on the Sandbox (no AWS time), p50 / p99;
//  2. a 1,000-alert burst to 50 chats through the outbound queue, against a loopback Bot API that answers 429 past Telegram's limits.
// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Telegram [-- --updates N --skip-burst --data FOLDER]
//        dotnet run -c Release --project bench/PortalOps.Bench.Telegram -- --scale-out   (three nodes on PostgreSQL: ScaleOut.cs)
var updates = args.SkipWhile(a => a != "--updates").Skip(1).Select(int.Parse).FirstOrDefault(2000);
var skipBurst = args.Contains("--skip-burst");
var scaleOut = args.Contains("--scale-out");
Console.WriteLine($"PortalOps Telegram benchmark · {Environment.ProcessorCount} cores · .NET {Environment.Version}");

await using var api = await BotApiServer.StartAsync();
var under = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault();
var data = under is null ? Directory.CreateTempSubdirectory("portalops-bench-").FullName : Directory.CreateDirectory(Path.Combine(under, "portalops-bench-" + Guid.NewGuid().ToString("N"))).FullName;
Console.WriteLine($"Data folder: {data}");
try
{
    if (scaleOut)
    {
        await ScaleOut.RunAsync(api);
        return;
    }

    await HandlingAsync(api, data, updates);
    if (!skipBurst)
    {
        await BurstAsync(api, data);
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(data, recursive: true);
}

static IHost Build(BotApiServer api, string data, IDictionary<string, string?> extra)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = data });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Data:Path"] = data,
        ["Telegram:Token"] = BotApiServer.Token,
        ["Telegram:ApiBaseUrl"] = api.BaseUrl,
        ["Sandbox:InstanceCount"] = "1000",
    });
    builder.Configuration.AddInMemoryCollection(extra);
    builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
    builder.Services.AddDomain();
    builder.Services.AddSingleton<IFleetEvents, FleetEvents>();
    builder.Services.AddSandbox();
    builder.Services.AddPersistence(builder.Configuration, builder.Environment);
    builder.Services.AddTelegram(builder.Configuration);
    builder.Services.AddSingleton<IActionScheduler, NoScheduler>();
    return builder.Build();
}

static async Task HandlingAsync(BotApiServer api, string data, int count)
{
    // The sender runs (without pacing, so that buttons reach the chat quickly); the poller idles, as updates are handed in directly.
    using var host = Build(api, data, new Dictionary<string, string?>
    {
        ["Telegram:Outbox:ChatInterval"] = "00:00:00",
        ["Telegram:Outbox:GlobalPerSecond"] = "1000",
    });
    await host.Services.MigrateDatabaseAsync();
    await host.StartAsync();
    var services = host.Services;
    var user = new PortalUser(Guid.NewGuid(), "olga", "Olga", Role.Operator, [Scope.Everything], DateTimeOffset.UtcNow);
    await services.GetRequiredService<IUserStore>().AddAsync(user);
    await services.GetRequiredService<IUserDirectory>().LinkAsync(new ChatLink(user.Id, 4242, "olga", DateTimeOffset.UtcNow));
    var person = new TelegramUser(4242, "Olga");
    var fleet = (await services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { PageSize = 50 })).Items;

    // A mix of what people send: commands, and presses on buttons the bot made (list pages, instance cards, action confirmations).
    var outbox = services.GetRequiredService<TelegramOutbox>();
    var random = new Random(7);
    var next = 1;
    async Task<(string Kind, double Ms)> OneAsync()
    {
        JsonObject json;
        string kind;
        switch (random.Next(6))
        {
            case 0:
                (kind, json) = ("/help", api.MessageUpdate(person, "/help"));
                break;
            case 1:
                (kind, json) = ("/whoami", api.MessageUpdate(person, "/whoami"));
                break;
            case 2:
                (kind, json) = ("/instances", api.MessageUpdate(person, "/instances prod"));
                break;
            case 3:
                (kind, json) = ("/instance", api.MessageUpdate(person, "/instance " + fleet[random.Next(fleet.Count)].InstanceId));
                break;
            default:
                // Press a button on the newest message that has some (Next page, an instance, Stop → the confirmation, the confirmation).
                var pending = LastButtons(api);
                var button = pending?.AllButtons.ElementAt(random.Next(pending.AllButtons.Count()));
                (kind, json) = pending is null
                    ? ("/instances", api.MessageUpdate(person, "/instances"))
                    : ("press " + Describe(button!.Value.Text), api.CallbackUpdate(person, pending, button.Value.Data));
                break;
        }

        json["update_id"] = next++;
        var update = System.Text.Json.JsonSerializer.Deserialize<Update>(json.ToJsonString(), JsonBotAPI.Options)!;
        var started = Stopwatch.GetTimestamp();
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TelegramUpdateHandler>().HandleAsync(update, CancellationToken.None);
        }

        return (kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    for (var i = 0; i < 200; i++)
    {
        await OneAsync();
    }

    var samples = new List<(string Kind, double Ms)>(count);
    for (var i = 0; i < count; i++)
    {
        samples.Add(await OneAsync());
    }

    var times = samples.Select(s => s.Ms).Order().ToList();
    Console.WriteLine();
    Console.WriteLine($"Update handling (reply queued), Sandbox fleet of 1000, SQLite, {count} updates after 200 warm-up:");
    Console.WriteLine($"  p50 {Percentile(times, 0.50):0.00} ms · p90 {Percentile(times, 0.90):0.00} ms · p99 {Percentile(times, 0.99):0.00} ms · max {times[^1]:0.00} ms");
    foreach (var group in samples.GroupBy(s => s.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
    {
        var sorted = group.Select(s => s.Ms).Order().ToList();
        Console.WriteLine($"    {group.Key,-22} n={sorted.Count,5} · p50 {Percentile(sorted, 0.50),6:0.00} ms · p99 {Percentile(sorted, 0.99),6:0.00} ms");
    }

    Console.WriteLine($"  replies delivered: {outbox.Sent}");
    await host.StopAsync();
}

// The newest message in the chat that has buttons.
static SentMessage? LastButtons(BotApiServer api) => api.MessagesIn(4242).LastOrDefault(m => m.AllButtons.Any());

static async Task BurstAsync(BotApiServer api, string data)
{
    api.EnforceLimits = true;
    using var host = Build(api, data, new Dictionary<string, string?>());
    await host.StartAsync();
    var outbox = host.Services.GetRequiredService<TelegramOutbox>();
    await Task.Delay(500);
    var before = api.TooManyRequests;
    const int Alerts = 1000;
    const int Chats = 50;
    var started = Stopwatch.GetTimestamp();
    for (var i = 0; i < Alerts; i++)
    {
        outbox.Enqueue(new OutboundMessage(10_000 + (i % Chats), $"<b>Alert {i}</b>\nCPU above 90 % on prod-web-{i % 30:00}"));
    }

    await outbox.DrainAsync(TimeSpan.FromMinutes(5));
    var elapsed = Stopwatch.GetElapsedTime(started);
    var minimum = Math.Max((Alerts - 30) / 30.0, (Alerts / Chats) - 1);
    Console.WriteLine();
    Console.WriteLine($"Burst: {Alerts} alerts to {Chats} chats against a loopback Bot API enforcing 30/s overall and 1/s per chat:");
    Console.WriteLine($"  delivered {outbox.Sent} · 429 answers {api.TooManyRequests - before} · {elapsed.TotalSeconds:0.0} s (the limits allow no less than {minimum:0.0} s; {elapsed.TotalSeconds / minimum:0.00}×)");
    await host.StopAsync();
}

static string Describe(string button) => button switch
{
    "◀ Prev" or "Next ▶" => "page",
    "Start" or "Stop" or "Reboot" or "Terminate" => "action",
    _ when button.StartsWith("Yes", StringComparison.Ordinal) => "confirm (runs it)",
    "Cancel" => "cancel",
    _ => "instance",
};

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

internal sealed class NoScheduler : IActionScheduler
{
    public void EnqueueApproved(Guid approvalId)
    {
    }
}
