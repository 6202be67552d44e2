using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// Three nodes' outbound queues on one PostgreSQL database and one loopback Bot API server that enforces Telegram's limits with
/// 429s: the chats and the overall pace are shared, so no limit is broken however the messages are spread over the nodes.
/// </summary>
[Trait("Category", "Peer")]
[Collection(TimingCollection.Name)]
public sealed class SharedPacingTests : IAsyncLifetime
{
    private BotApiServer _api = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _api = await BotApiServer.StartAsync();
        _database = await TestDatabase.CreatePostgresAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ThreeNodes_SameChatsFromEveryNode_ZeroTooManyRequestsEveryMessageOnce()
    {
        _api.EnforceLimits = true;
        await using var nodes = await SharedOutboxNodes.StartAsync(_api.BaseUrl, _database.Database.ConnectionString, 3);

        // 40 private chats, 2 messages each from each node (6 per chat), and one group with a message from each node: 243 messages,
        // at least 8 s at 30 a second, each chat at least 5 s at one a second.
        for (var n = 0; n < nodes.Outboxes.Count; n++)
        {
            for (var round = 0; round < 2; round++)
            {
                for (var chat = 2000; chat < 2040; chat++)
                {
                    nodes.Outboxes[n].Enqueue(new OutboundMessage(chat, $"node {n} round {round}"));
                }
            }

            nodes.Outboxes[n].Enqueue(new OutboundMessage(-500, $"group from node {n}"));
        }

        var started = DateTimeOffset.UtcNow;
        await nodes.DrainAsync(TimeSpan.FromSeconds(60));
        var elapsed = DateTimeOffset.UtcNow - started;

        Assert.True(_api.TooManyRequests == 0, Describe429s(_api));
        Assert.Equal(243, nodes.Outboxes.Sum(o => o.Sent));
        var sends = _api.CallsOf("sendMessage");
        Assert.Equal(243, sends.Count);
        for (var chat = 2000; chat < 2040; chat++)
        {
            var texts = _api.MessagesIn(chat).Select(m => m.Text).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(6, texts.Count);
            Assert.Equal(6, texts.Distinct().Count());
        }

        var group = sends.Where(c => c.Body["chat_id"]!.GetValue<long>() == -500).Select(c => c.At).Order().ToList();
        Assert.Equal(3, group.Count);
        Assert.True(group[1] - group[0] >= TimeSpan.FromSeconds(2.9) && group[2] - group[1] >= TimeSpan.FromSeconds(2.9), "a group gets one message every 3 s");

        // Paced, not stalled: the limits allow 8.1 s for 243 messages; the group's 3 messages need 6 s.
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"{elapsed.TotalSeconds:0.0} s");

        // Rows of the chats remain for the next messages' pace, held by nobody.
        await using var connection = new NpgsqlConnection(_database.Database.ConnectionString);
        await connection.OpenAsync();
        await using var held = new NpgsqlCommand("""SELECT count(*) FROM "TelegramPacing" WHERE "Holder" IS NOT NULL""", connection);
        Assert.Equal(0L, (long)(await held.ExecuteScalarAsync())!);
    }

    // Each 429 with what the server had seen before it: the chat's last success and the overall count in the second before.
    internal static string Describe429s(BotApiServer api)
    {
        var calls = api.CallsOf("sendMessage");
        var ok = calls.Where(c => c.Status == 200).ToList();
        return string.Join("; ", calls.Where(c => c.Status == 429).Select(c =>
        {
            var chat = c.Body["chat_id"]!.GetValue<long>();
            var last = ok.Where(o => o.Body["chat_id"]!.GetValue<long>() == chat && o.Arrived <= c.Arrived).MaxBy(o => o.Arrived);
            var window = ok.Count(o => o.Arrived <= c.Arrived && c.Arrived - o.Arrived < TimeSpan.FromSeconds(1));
            return last is null
                ? $"429 in chat {chat} (\"{c.Body["text"]}\"): its first, {window} in the second before"
                : $"429 in chat {chat} (\"{c.Body["text"]}\", arrived {c.Arrived:HH:mm:ss.fff}, answered {c.At:HH:mm:ss.fff}): "
                  + $"{(c.Arrived - last.Arrived).TotalMilliseconds:0} ms after its last arrived (\"{last.Body["text"]}\", arrived {last.Arrived:HH:mm:ss.fff}, answered {last.At:HH:mm:ss.fff}), {window} in the second before";
        }));
    }

    [Fact]
    public async Task TwoNodesAskForOneFreeChatAtOnce_ExactlyOneHoldsIt()
    {
        // The loser of the race reads the chat as it was before the statement (free, its moment passed): it must wait, not send.
        var first = new TelegramPacer(_database.Database, Microsoft.Extensions.Logging.Abstractions.NullLogger<TelegramPacer>.Instance);
        var second = new TelegramPacer(_database.Database, Microsoft.Extensions.Logging.Abstractions.NullLogger<TelegramPacer>.Instance);
        await using var connection = new NpgsqlConnection(_database.Database.ConnectionString);
        await connection.OpenAsync();
        for (var round = 0; round < 60; round++)
        {
            await using (var free = new NpgsqlCommand("""
                INSERT INTO "TelegramPacing" ("ChatId", "NotBefore") VALUES (4242, clock_timestamp() - interval '2 seconds')
                ON CONFLICT ("ChatId") DO UPDATE SET "NotBefore" = excluded."NotBefore", "Holder" = NULL, "HeldUntil" = NULL
                """, connection))
            {
                await free.ExecuteNonQueryAsync();
            }

            var answers = await Task.WhenAll(
                Task.Run(() => first.TryHoldChatAsync(4242, TimeSpan.FromSeconds(1), CancellationToken.None)),
                Task.Run(() => second.TryHoldChatAsync(4242, TimeSpan.FromSeconds(1), CancellationToken.None)));

            Assert.Single(answers, a => a is null);
            Assert.True(answers.Single(a => a is not null) >= TimeSpan.FromSeconds(0.5), $"round {round}: the loser waits {answers.Single(a => a is not null)}");
        }

        await using var holder = new NpgsqlCommand("""SELECT "Holder" FROM "TelegramPacing" WHERE "ChatId" = 4242""", connection);
        Assert.Contains((string)(await holder.ExecuteScalarAsync())!, new[] { first.Node, second.Node });
    }

    [Fact]
    public async Task NodeDiesHoldingAChat_TheOthersSendThereAfterTheHoldRunsOut()
    {
        _api.EnforceLimits = true;
        await using var nodes = await SharedOutboxNodes.StartAsync(_api.BaseUrl, _database.Database.ConnectionString, 1);

        // A node that is gone holds chat 77 (as if it died mid-send).
        await using (var connection = new NpgsqlConnection(_database.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO "TelegramPacing" ("ChatId", "NotBefore", "Holder", "HeldUntil")
                VALUES (77, clock_timestamp(), 'gone:1:x', clock_timestamp() + interval '3 seconds')
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        var started = DateTimeOffset.UtcNow;
        nodes.Outboxes[0].Enqueue(new OutboundMessage(77, "after the hold"));
        nodes.Outboxes[0].Enqueue(new OutboundMessage(78, "elsewhere at once"));
        await nodes.DrainAsync(TimeSpan.FromSeconds(15));

        var at77 = Assert.Single(_api.CallsOf("sendMessage"), c => c.Body["chat_id"]!.GetValue<long>() == 77).At;
        var at78 = Assert.Single(_api.CallsOf("sendMessage"), c => c.Body["chat_id"]!.GetValue<long>() == 78).At;
        Assert.True(at77 - started >= TimeSpan.FromSeconds(2.5), $"sent {(at77 - started).TotalSeconds:0.0} s after queuing, while another node held the chat");
        Assert.True(at78 < at77, "the chat queued after the held one was not held up by it");
        Assert.Equal(0, _api.TooManyRequests);
    }
}

/// <summary>Tests that measure Telegram's pace run alone, so that other tests' load does not move their timings.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Telegram timing";
}

/// <summary>The outbound queues of several nodes of one bot on one PostgreSQL database, each running as in its node.</summary>
public sealed class SharedOutboxNodes : IAsyncDisposable
{
    private readonly List<ServiceProvider> _providers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running;

    private SharedOutboxNodes(List<ServiceProvider> providers)
    {
        _providers = providers;
        Outboxes = providers.Select(p => p.GetRequiredService<TelegramOutbox>()).ToList();
        _running = Outboxes.Select(o => Task.Run(() => o.RunAsync(_stop.Token))).ToList();
    }

    public IReadOnlyList<TelegramOutbox> Outboxes { get; }

    public static Task<SharedOutboxNodes> StartAsync(string botApiBaseUrl, string connectionString, int count, IDictionary<string, string?>? settings = null)
    {
        var providers = new List<ServiceProvider>();
        for (var i = 0; i < count; i++)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:PortalOps"] = connectionString,
                ["Telegram:Token"] = BotApiServer.Token,
                ["Telegram:ApiBaseUrl"] = botApiBaseUrl,
            }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddSingleton(PortalDatabase.Postgres(connectionString, Path.GetTempPath()));
            services.AddPersistence(configuration, Path.GetTempPath());
            services.AddTelegram(configuration);
            providers.Add(services.BuildServiceProvider());
        }

        return Task.FromResult(new SharedOutboxNodes(providers));
    }

    /// <summary>Waits until every node's queue is empty.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        foreach (var outbox in Outboxes)
        {
            var left = until - DateTimeOffset.UtcNow;
            await outbox.DrainAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        _stop.Dispose();
    }
}
