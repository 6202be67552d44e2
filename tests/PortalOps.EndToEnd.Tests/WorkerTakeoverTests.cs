using System.Diagnostics;
using PortalOps.EndToEnd.Tests.Infrastructure;
using PortalOps.Jobs.Tests.Telegram;

namespace PortalOps.EndToEnd.Tests;

/// <summary>
/// Two worker nodes of the real binary on one PostgreSQL database and one loopback Bot API server: exactly one fetches Telegram
/// updates, and when that process is killed (no shutdown, as when its machine dies) the other takes over within 30 s and
/// answers the next message written to the bot.
/// </summary>
[Trait("Category", "Peer")]
public sealed class WorkerTakeoverTests
{
    private const string HoldsLease = "holds the Telegram poller lease";
    private static readonly TimeSpan PostgresStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task TwoWorkers_PollerKilled_TheOtherPollsWithin30Seconds()
    {
        var port = Loopback.FreePort();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var api = await BotApiServer.StartAsync();
        await using var moto = await Moto.StartAsync();
        var keyFile = Path.Combine(Path.GetTempPath(), $"portalops-e2e-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        Dictionary<string, string?> Node() => new(Moto.DummyCredentials)
        {
            ["Aws:ServiceUrl"] = moto.Url,
            ["Aws:Accounts:0:Id"] = Moto.AccountId,
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["ConnectionStrings:PortalOps"] = database.ConnectionString,
            ["Data:KeyFile"] = keyFile,
            ["Jobs:Role"] = "worker",
            ["Telegram:Token"] = BotApiServer.Token,
            ["Telegram:ApiBaseUrl"] = api.BaseUrl,
            ["Telegram:PollTimeoutSeconds"] = "2",
        };

        var firstSettings = Node();
        firstSettings["Jobs:WorkerHealthUrls"] = $"http://127.0.0.1:{port}";
        await using var first = await Portal.StartAsync(firstSettings, port, PostgresStart);
        await first.Process.WaitForLineAsync(l => l.Contains(HoldsLease, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await using var second = await Portal.StartWithoutListenerAsync(Node(), first.BaseUrl);

        // While the first lives, the second waits for the lease and fetches nothing.
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.DoesNotContain(HoldsLease, second.Process.Output, StringComparison.Ordinal);
        Assert.False(second.Process.HasExited, "The second worker stopped:\n" + second.Process.Tail());

        // The poller's machine dies: its process is killed, its database sessions end with it.
        var killed = Stopwatch.StartNew();
        await first.Process.DisposeAsync();
        await second.Process.WaitForLineAsync(l => l.Contains(HoldsLease, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30), $"took over after {killed.Elapsed.TotalSeconds:0.0} s");

        // The survivor answers the bot's chat: an unlinked person writing /start gets the linking instructions.
        var asked = api.CallsOf("sendMessage").Count;
        api.Write(new TelegramUser(4711, "Dana"), "/start");
        await Loopback.WaitUntilAsync(() => Task.FromResult(api.CallsOf("sendMessage").Count > asked), TimeSpan.FromSeconds(30), "the surviving worker's answer to /start");
        Assert.Contains(api.CallsOf("sendMessage").Skip(asked), c => c.Body["chat_id"]!.GetValue<long>() == 4711);
    }
}
