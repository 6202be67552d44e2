using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Instances;

/// <summary>Two nodes on one PostgreSQL database: an instance change published on one reaches the other's subscribers within 2 s.</summary>
[Trait("Category", "Peer")]
public sealed class CrossNodeFleetEventsTests : IAsyncLifetime
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
    public async Task Publish_OnNodeA_ArrivesOnNodeBWithin2sAndOnceOnA()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync();
        var onA = new ConcurrentQueue<InstanceRef>();
        var onB = new ConcurrentQueue<InstanceRef>();
        using var subA = a.Subscribe(onA.Enqueue);
        using var subB = b.Subscribe(onB.Enqueue);
        var changed = new InstanceRef("111122223333", "eu-west-1", "i-0abc1234def567890");

        var sent = Stopwatch.StartNew();
        a.Publish(changed);
        await TestHost.WaitUntilAsync(() => Task.FromResult(!onB.IsEmpty), TimeSpan.FromSeconds(2), "the change to reach node B");
        var latency = sent.Elapsed;

        Assert.Equal(changed, Assert.Single(onB));
        Assert.True(latency < TimeSpan.FromSeconds(2), $"{latency.TotalMilliseconds:0} ms");
        await Task.Delay(500);
        Assert.Equal(changed, Assert.Single(onA));
        Assert.Single(onB);
    }

    [Fact]
    public void Register_Sqlite_KeepsTheInProcessEvents()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IFleetEvents, FleetEvents>();

        services.AddCrossNodeFleetEvents(new ConfigurationBuilder().Build());

        Assert.Equal(typeof(FleetEvents), Assert.Single(services, d => d.ServiceType == typeof(IFleetEvents)).ImplementationType);
    }

    private async Task<PostgresFleetEvents> StartNodeAsync()
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

        var events = Assert.IsType<PostgresFleetEvents>(provider.GetRequiredService<IFleetEvents>());
        await TestHost.WaitUntilAsync(() => Task.FromResult(events.Listening), TimeSpan.FromSeconds(15), "the node to listen");
        return events;
    }
}
