using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Instances;

/// <summary>An endpoint that accepts connections and never answers: the inventory reports it within the read deadline and does not wait for it again.</summary>
public sealed class AwsInventoryOutageTests : IDisposable
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public AwsInventoryOutageTests()
    {
        // The dummy credentials the moto fixture puts in the environment (no moto is needed here).
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(MotoServer).TypeHandle);
        _silent.Start();
        _ = AcceptForeverAsync();
    }

    private Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/");

    [Fact]
    public async Task Refresh_RegionNeverAnswers_FailsWithinTheDeadlineNamingIt()
    {
        await using var services = MotoAws.Provider(Url, Settings());
        var status = services.GetRequiredService<IInventoryStatus>();

        var watch = Stopwatch.StartNew();
        var page = await services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery());

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Equal(0, page.TotalCount);
        var region = Assert.Single(status.Current.Regions);
        Assert.False(region.Healthy);
        Assert.Contains("did not answer DescribeInstances within 2 s", region.Error, StringComparison.Ordinal);
        Assert.Contains("region us-east-1", region.Error, StringComparison.Ordinal);
        Assert.True(_connections >= 2, $"attempts are retried inside the deadline ({_connections} connection(s))");
    }

    [Fact]
    public async Task Query_AfterRegionFailed_AnswersAtOnceFromTheLastInventory()
    {
        await using var services = MotoAws.Provider(Url, Settings());
        var inventory = services.GetRequiredService<IInventory>();
        await inventory.QueryAsync(new InstanceQuery());
        var connections = _connections;

        var watch = Stopwatch.StartNew();
        await inventory.QueryAsync(new InstanceQuery());
        await inventory.SummarizeAsync();
        var found = await inventory.FindAsync(new InstanceRef(MotoServer.AccountId, "us-east-1", "i-0123456789abcdef0"));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Null(found);
        Assert.Equal(connections, _connections);
        Assert.False(Assert.Single(services.GetRequiredService<IInventoryStatus>().Current.Regions).Healthy);
    }

    [Fact]
    public async Task Find_RegionNeverAnswers_GivesUpWithinTheDeadlineAndMarksTheRegion()
    {
        await using var services = MotoAws.Provider(Url, Settings());

        var watch = Stopwatch.StartNew();
        var found = await services.GetRequiredService<IInventory>().FindAsync(new InstanceRef(MotoServer.AccountId, "us-east-1", "i-0123456789abcdef0"));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Null(found);
        var region = Assert.Single(services.GetRequiredService<IInventoryStatus>().Current.Regions);
        Assert.False(region.Healthy);
        Assert.Contains("did not answer", region.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _silent.Stop();
        foreach (var client in _accepted)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Aws:MaxAttempts"] = "4",
        ["Aws:RequestTimeoutSeconds"] = "0.8",
        ["Aws:ReadDeadlineSeconds"] = "2",
    };

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _silent.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_accepted)
                {
                    _accepted.Add(client);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
