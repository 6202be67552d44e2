using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.ScaleOut;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Jobs.Tests.Fixtures;
using PortalOps.Jobs.Tests.Telegram;

// Figures for several nodes on one PostgreSQL database (docs/performance.md, "Several nodes"):
//  1. a 1,000-alert burst to 50 chats queued on three nodes, against the loopback Bot API enforcing Telegram's limits;
//  2. cross-node change latency: an approval decided through node A's store until node B's page subscription hears it, p50/p95;
//  3. approvals decided per second with three nodes racing on every request, and executions claimed once each.
// Each node is a container of its own (own connection pools, own LISTEN connection, own outbox) in this one process.
// PostgreSQL: PORTALOPS_TEST_POSTGRES, or a throwaway cluster from the Debian binaries (as the tests do).
internal static class ScaleOut
{
    public static async Task RunAsync(BotApiServer api)
    {
        var cluster = await PostgresCluster.GetAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            await BurstAsync(api, connectionString);
            await LatencyAsync(connectionString);
            await ApprovalsAsync(connectionString);
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    private static ServiceProvider Node(string connectionString, string? botApi = null)
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:PortalOps"] = connectionString };
        if (botApi is not null)
        {
            settings["Telegram:Token"] = BotApiServer.Token;
            settings["Telegram:ApiBaseUrl"] = botApi;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IFleetEvents, FleetEvents>();
        services.AddPersistence(configuration, Path.GetTempPath());
        services.AddCrossNodeFleetEvents(configuration);
        if (botApi is not null)
        {
            services.AddTelegram(configuration);
        }

        return services.BuildServiceProvider();
    }

    private static async Task BurstAsync(BotApiServer api, string connectionString)
    {
        api.EnforceLimits = true;
        var nodes = Enumerable.Range(0, 3).Select(_ => Node(connectionString, api.BaseUrl)).ToList();
        using var stop = new CancellationTokenSource();
        var outboxes = nodes.Select(n => n.GetRequiredService<TelegramOutbox>()).ToList();
        var running = outboxes.Select(o => Task.Run(() => o.RunAsync(stop.Token))).ToList();
        var before = api.TooManyRequests;
        var sentBefore = api.CallsOf("sendMessage").Count(c => c.Status == 200);
        const int Alerts = 1000;
        const int Chats = 50;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Alerts; i++)
        {
            // Alert i is raised on node i % 3, for chat i % 50: every chat gets alerts from every node.
            outboxes[i % 3].Enqueue(new OutboundMessage(20_000 + (i % Chats), $"<b>Alert {i}</b>\nCPU above 90 % on prod-web-{i % 30:00}"));
        }

        foreach (var outbox in outboxes)
        {
            await outbox.DrainAsync(TimeSpan.FromMinutes(5));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var minimum = Math.Max((Alerts - 30) / 30.0, (Alerts / Chats) - 1);
        var delivered = api.CallsOf("sendMessage").Count(c => c.Status == 200) - sentBefore;
        Console.WriteLine();
        Console.WriteLine($"Burst from 3 nodes: {Alerts} alerts to {Chats} chats (each chat from every node), loopback Bot API enforcing 30/s overall and 1/s per chat:");
        Console.WriteLine($"  delivered {delivered} · 429 answers {api.TooManyRequests - before} · {elapsed.TotalSeconds:0.0} s (the limits allow no less than {minimum:0.0} s; {elapsed.TotalSeconds / minimum:0.00}×)");
        await stop.CancelAsync();
        await Task.WhenAll(running);
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        api.EnforceLimits = false;
    }

    private static async Task<List<ServiceProvider>> StartAsync(string connectionString, int count)
    {
        var nodes = Enumerable.Range(0, count).Select(_ => Node(connectionString)).ToList();
        foreach (var node in nodes)
        {
            foreach (var hosted in node.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            var signals = node.GetRequiredService<PostgresSignals>();
            while (!signals.Listening)
            {
                await Task.Delay(20);
            }
        }

        return nodes;
    }

    private static async Task StopAsync(List<ServiceProvider> nodes)
    {
        foreach (var node in nodes)
        {
            foreach (var hosted in node.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await node.DisposeAsync();
        }
    }

    private static async Task LatencyAsync(string connectionString)
    {
        var nodes = await StartAsync(connectionString, 2);
        var storeA = nodes[0].GetRequiredService<IApprovalStore>();
        var heard = new SemaphoreSlim(0);
        using var subscription = nodes[1].GetRequiredService<IApprovalEvents>().Subscribe(() => heard.Release());
        var samples = new List<double>();
        for (var i = 0; i < 220; i++)
        {
            var request = Request();
            await storeA.AddAsync(request);
            await heard.WaitAsync(TimeSpan.FromSeconds(5));
            while (heard.CurrentCount > 0)
            {
                await heard.WaitAsync();
            }

            var version = request.Version;
            request.Approve(Approver, null, DateTimeOffset.UtcNow);
            var started = Stopwatch.GetTimestamp();
            await storeA.UpdateAsync(request, version);
            if (!await heard.WaitAsync(TimeSpan.FromSeconds(5)))
            {
                samples.Add(5000);
                continue;
            }

            if (i >= 20)
            {
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        samples.Sort();
        Console.WriteLine();
        Console.WriteLine($"Cross-node change latency (approval decided on node A → node B's subscribers), {samples.Count} decisions after 20 of warm-up:");
        Console.WriteLine($"  p50 {Percentile(samples, 0.50):0.0} ms · p95 {Percentile(samples, 0.95):0.0} ms · max {samples[^1]:0.0} ms (a page adds its 300 ms debounce)");
        await StopAsync(nodes);
    }

    private static async Task ApprovalsAsync(string connectionString)
    {
        var nodes = await StartAsync(connectionString, 3);
        const int Requests = 600;
        var requests = new List<ApprovalRequest>();
        for (var i = 0; i < Requests; i++)
        {
            var request = Request();
            await nodes[i % 3].GetRequiredService<IApprovalStore>().AddAsync(request);
            requests.Add(request);
        }

        var decided = 0;
        var conflicts = 0;
        var executed = 0;
        var started = Stopwatch.GetTimestamp();

        // Every node tries to approve every request (as three people on three nodes, or a page and a Telegram button, would),
        // then to run it (as a job retried on another worker would): one decision and one execution each must win.
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (request, ct) =>
        {
            await Task.WhenAll(nodes.Select(async node =>
            {
                var store = node.GetRequiredService<IApprovalStore>();
                var copy = (await store.FindAsync(request.Id, ct))!;
                if (copy.Status != ApprovalStatus.Pending)
                {
                    Interlocked.Increment(ref conflicts);
                    return;
                }

                var version = copy.Version;
                copy.Approve(Approver, null, DateTimeOffset.UtcNow);
                try
                {
                    await store.UpdateAsync(copy, version, ct);
                    Interlocked.Increment(ref decided);
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }));

            await Task.WhenAll(nodes.Select(async node =>
            {
                var ledger = node.GetRequiredService<IActionLedger>();
                if (await ledger.TryClaimAsync($"approval:{request.Id}", "StopInstances", DateTimeOffset.UtcNow, ct) is null)
                {
                    Interlocked.Increment(ref executed);
                    await ledger.CompleteAsync($"approval:{request.Id}", new ActionExecution(true, "stopped", null), DateTimeOffset.UtcNow, ct);
                }
            }));
        });

        var elapsed = Stopwatch.GetElapsedTime(started);
        Console.WriteLine();
        Console.WriteLine($"Approvals across 3 nodes: {Requests} requests, each approved by all 3 nodes at once and then claimed for execution by all 3:");
        Console.WriteLine($"  {Requests / elapsed.TotalSeconds:0} decided a second ({elapsed.TotalSeconds:0.00} s) · decisions taken {decided} · refused as already decided {conflicts} · executions {executed} · double executions {Math.Max(0, executed - Requests)}");
        await StopAsync(nodes);
    }

    private static readonly Actor Requester = new(Guid.NewGuid(), "rita", Role.Operator, [Scope.Everything], Channel.Web);

    private static readonly Actor Approver = new(Guid.NewGuid(), "alice", Role.Approver, [Scope.Everything], Channel.Web);

    private static ApprovalRequest Request() => new(
        Guid.NewGuid(),
        ActionKind.StopInstances,
        [new ResolvedTarget(new InstanceRef("123456789012", "eu-west-1", $"i-{Random.Shared.NextInt64(0, long.MaxValue):x17}"), "web", new Dictionary<string, string> { ["env"] = "prod" })],
        new Dictionary<string, string>(),
        Requester,
        "Stopping production needs approval",
        "bench",
        DateTimeOffset.UtcNow,
        TimeSpan.FromHours(1));

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
