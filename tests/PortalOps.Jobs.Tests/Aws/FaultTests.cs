using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Monitoring;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws;

/// <summary>
/// A loopback proxy in front of moto answers 30% of calls with the protocol's throttling error and loses some answers
/// (the call reaches moto, the answer arrives after the client gave up): results must still be right, and a launch
/// must make exactly one instance.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class FaultTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Faulty = new()
    {
        ["Aws:MaxAttempts"] = "10",
        ["Aws:RequestTimeoutSeconds"] = "1",
    };

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Inventory_ThrottlingAndLostAnswers_CompletesWithTheRightFleet()
    {
        using var east = MotoAws.Ec2(moto.Url, "us-east-1");
        using var west = MotoAws.Ec2(moto.Url, "eu-west-1");
        var expected = (await MotoAws.LaunchAsync(east, 12, "east")).Concat(await MotoAws.LaunchAsync(west, 8, "west")).Order().ToList();
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url, seed: 7);
        proxy.ThrottleRate = 0.30;
        proxy.TimeoutRate = 0.05;
        proxy.TimeoutDelay = TimeSpan.FromSeconds(1.3);
        await using var services = MotoAws.Provider(proxy.Url, Faulty, "us-east-1", "eu-west-1");
        var inventory = new AwsProviderAccess(services.GetRequiredService<IInventory>(), services.GetRequiredService<IInventoryStatus>());

        for (var i = 0; i < 4; i++)
        {
            var status = await inventory.Status.RefreshAsync();
            Assert.True(status.Healthy, string.Join("; ", status.Regions.Select(r => r.Error)));
            var page = await inventory.Inventory.QueryAsync(new InstanceQuery { PageSize = 100 });
            Assert.Equal(expected, page.Items.Select(x => x.InstanceId).Order().ToList());
        }

        Assert.True(proxy.Faults > 0);
    }

    [Fact]
    public async Task Launch_ThrottlingAndLostAnswers_CreatesExactlyOneInstancePerKey()
    {
        using var direct = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(direct);
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url, seed: 11);
        proxy.ThrottleRate = 0.30;
        proxy.TimeoutRate = 0.10;
        proxy.LoseAnswers("RunInstances", 2);
        proxy.TimeoutDelay = TimeSpan.FromSeconds(1.3);
        await using var services = MotoAws.Provider(proxy.Url, Faulty);
        var launcher = services.GetRequiredService<IInstanceLauncher>();

        var launched = new List<InstanceRef>();
        var recovered = 0;
        for (var i = 0; i < 4; i++)
        {
            var result = await launcher.LaunchAsync(new LaunchRequest(MotoServer.AccountId, "us-east-1", image, "t3.micro", Name: $"job-{i}"), $"launch-{i}");
            launched.Add(Assert.Single(result.Instances));
            recovered += result.Replayed ? 1 : 0;
        }

        var inMoto = (await direct.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.SelectMany(r => r.Instances).ToList();
        Assert.Equal(4, inMoto.Count);
        Assert.Equal(launched.Select(l => l.InstanceId).Order(), inMoto.Select(x => x.InstanceId).Order());
        Assert.True(proxy.CallsTo("RunInstances") >= 4);
        Assert.True(recovered >= 1, "a launch whose answer was lost must be found, not repeated");
    }

    [Fact]
    public async Task Launch_CallArrivesAfterTheClientGaveUp_IsFoundNotRepeated()
    {
        // The first RunInstances reaches moto a second after the client stopped waiting for it: the first look finds nothing yet,
        // and sending again would make a second instance. The launcher keeps looking for a while before it sends again.
        using var direct = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(direct);
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url, seed: 5);
        proxy.ForwardLate("RunInstances", 1, TimeSpan.FromSeconds(2.5));
        await using var services = MotoAws.Provider(proxy.Url, Faulty);
        var launcher = services.GetRequiredService<IInstanceLauncher>();

        var result = await launcher.LaunchAsync(new LaunchRequest(MotoServer.AccountId, "us-east-1", image, "t3.micro", Name: "late"), "launch-late");

        var inMoto = (await direct.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.SelectMany(r => r.Instances).ToList();
        Assert.Equal(Assert.Single(result.Instances).InstanceId, Assert.Single(inMoto).InstanceId);
        Assert.True(result.Replayed);
        Assert.Equal(1, proxy.CallsTo("RunInstances"));
    }

    [Fact]
    public async Task OwnClient_Throttling_RetriesToTheRightAnswer()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url, seed: 3);
        await using var services = MotoAws.Provider(proxy.Url, Faulty);
        var scope = new CloudScope(MotoServer.AccountId, "us-east-1");
        var cw = services.GetRequiredService<ICloudWatchApi>();
        var asg = services.GetRequiredService<IAutoScalingApi>();
        proxy.ThrottleRate = 0.30;

        for (var i = 0; i < 10; i++)
        {
            await cw.PutMetricAlarmAsync(scope, new MetricAlarmSpec($"alarm-{i}", new Metric("AWS/EC2", "CPUUtilization", []), "Average", 60, 1, 90, "GreaterThanThreshold"));
        }

        Assert.Equal(10, (await cw.DescribeAlarmsAsync(scope, namePrefix: "alarm-")).Count);
        Assert.Empty(await asg.DescribeGroupsAsync(scope));
        Assert.True(proxy.Faults > 0);
    }
}

/// <summary>Resolves the inventory and its status together.</summary>
internal sealed record AwsProviderAccess(IInventory Inventory, IInventoryStatus Status);
