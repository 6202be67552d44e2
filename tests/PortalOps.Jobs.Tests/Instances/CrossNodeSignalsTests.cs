using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Monitoring;
using PortalOps.Jobs.ScaleOut;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Instances;

/// <summary>
/// Two nodes on one PostgreSQL database: an approval request made or decided through the store on one node, and an alert change
/// published on one node, reach the other node's subscribers within 2 s; SQLite keeps in-process events.
/// </summary>
[Trait("Category", "Peer")]
public sealed class CrossNodeSignalsTests : IAsyncLifetime
{
    private readonly List<ServiceProvider> _nodes = [];
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreatePostgresAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            foreach (var hosted in node.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await node.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ApprovalRequestedAndDecidedOnNodeA_NodeBHearsEachWithin2s()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync();
        var heardOnB = 0;
        using var subscription = b.GetRequiredService<IApprovalEvents>().Subscribe(() => Interlocked.Increment(ref heardOnB));
        var storeOnA = a.GetRequiredService<IApprovalStore>();
        var request = Builders.PendingStop(DateTimeOffset.UtcNow);

        var made = Stopwatch.StartNew();
        await storeOnA.AddAsync(request);
        await TestHost.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref heardOnB) >= 1), TimeSpan.FromSeconds(2), "the new request to reach node B");
        var madeLatency = made.Elapsed;

        await Task.Delay(300);
        var before = Volatile.Read(ref heardOnB);
        var version = request.Version;
        request.Approve(Builders.Approver, "fine", DateTimeOffset.UtcNow);
        var decided = Stopwatch.StartNew();
        await storeOnA.UpdateAsync(request, version);
        await TestHost.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref heardOnB) > before), TimeSpan.FromSeconds(2), "the decision to reach node B");

        Assert.True(madeLatency < TimeSpan.FromSeconds(2) && decided.Elapsed < TimeSpan.FromSeconds(2), $"{madeLatency.TotalMilliseconds:0} ms, {decided.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task AlertChangeOnNodeA_NodeBHearsItWithin2sAndNodeAOnce()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync();
        var onA = 0;
        var onB = 0;
        using var subA = a.GetRequiredService<IMonitoringEvents>().Subscribe(() => Interlocked.Increment(ref onA));
        using var subB = b.GetRequiredService<IMonitoringEvents>().Subscribe(() => Interlocked.Increment(ref onB));

        var sent = Stopwatch.StartNew();
        a.GetRequiredService<IMonitoringEvents>().Publish();
        await TestHost.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref onB) == 1), TimeSpan.FromSeconds(2), "the alert change to reach node B");

        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(2));
        await Task.Delay(500);
        Assert.Equal(1, onA);
        Assert.Equal(1, onB);
    }

    [Fact]
    public void Register_Sqlite_KeepsTheInProcessEvents()
    {
        var services = new ServiceCollection();
        services.AddCrossNodeFleetEvents(new ConfigurationBuilder().Build());
        services.AddSingleton<IMonitoringEvents, MonitoringEvents>();

        Assert.Equal(typeof(ApprovalEvents), Assert.Single(services, d => d.ServiceType == typeof(IApprovalEvents)).ImplementationType);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(PostgresSignals));
    }

    private async Task<ServiceProvider> StartNodeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_database.Configuration).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IFleetEvents, FleetEvents>();
        services.AddPersistence(configuration, _database.DataDirectory);
        services.AddCrossNodeFleetEvents(configuration);
        var provider = services.BuildServiceProvider();
        _nodes.Add(provider);
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var signals = provider.GetRequiredService<PostgresSignals>();
        await TestHost.WaitUntilAsync(() => Task.FromResult(signals.Listening), TimeSpan.FromSeconds(15), "the node to listen");
        Assert.IsType<CrossNodeMonitoringEvents>(provider.GetRequiredService<IMonitoringEvents>());
        return provider;
    }
}
