using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Instances;
using PortalOps.Jobs.Tests.Aws.Support;
using InstanceState = PortalOps.Domain.Instances.InstanceState;

namespace PortalOps.Jobs.Tests.Aws.Instances;

[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsProviderMotoTests(MotoServer moto) : IAsyncLifetime
{
    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Portal_InstancesMadeByAnotherClient_AreListedAndStopStopsThemInMoto()
    {
        using var other = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(other, 3, "shop");
        await using var services = MotoAws.Provider(moto.Url);
        var inventory = services.GetRequiredService<IInventory>();
        var compute = services.GetRequiredService<ICompute>();

        var page = await inventory.QueryAsync(new InstanceQuery { Text = "shop", PageSize = 10 });
        Assert.Equal(3, page.TotalCount);
        Assert.Equal(ids.Order(), page.Items.Select(i => i.InstanceId).Order());
        Assert.All(page.Items, i => Assert.Equal(InstanceState.Running, i.State));

        var result = await compute.ApplyAsync(InstanceAction.Stop, page.Items.Select(i => i.Ref).ToList(), "stop-shop-1");
        Assert.True(result.AllSucceeded);
        Assert.False(string.IsNullOrEmpty(result.RequestId));

        var seen = await other.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids });
        Assert.All(seen.Reservations.SelectMany(r => r.Instances), i => Assert.Contains(i.State.Name.Value, new[] { "stopping", "stopped" }));
    }

    [Fact]
    public async Task Inventory_TwoRegions_FetchesBothAndReportsEachHealthy()
    {
        using var east = MotoAws.Ec2(moto.Url, "us-east-1");
        using var west = MotoAws.Ec2(moto.Url, "eu-west-1");
        await MotoAws.LaunchAsync(east, 2, "east");
        await MotoAws.LaunchAsync(west, 3, "west");
        await using var services = MotoAws.Provider(moto.Url, null, "us-east-1", "eu-west-1");

        var summary = await services.GetRequiredService<IInventory>().SummarizeAsync();
        Assert.Equal(5, summary.Total);
        Assert.Equal(2, summary.ByRegion["us-east-1"]);
        Assert.Equal(3, summary.ByRegion["eu-west-1"]);
        var status = services.GetRequiredService<IInventoryStatus>().Current;
        Assert.True(status.Healthy);
        Assert.Equal(2, status.Regions.Count);
    }

    [Fact]
    public async Task Inventory_RefreshSlowerThanMaxAge_DoesNotRefreshAgainAtOnce()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        await MotoAws.LaunchAsync(ec2, 2);
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        // Every reading of the clock moves it 40 s on: the refresh itself "takes" longer than the 60 s max age.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(40) };
        await using var services = MotoAws.Provider(proxy.Url, clock, new Dictionary<string, string?> { ["Aws:InventoryMaxAgeSeconds"] = "60" });
        var inventory = services.GetRequiredService<IInventory>();

        Assert.Equal(2, (await inventory.SummarizeAsync()).Total);
        Assert.Equal(2, (await inventory.QueryAsync(new InstanceQuery())).TotalCount);

        Assert.Equal(1, proxy.CallsTo("DescribeInstances"));
    }

    [Fact]
    public async Task Inventory_EndpointDown_RecordsErrorNamingAccountAndRegion()
    {
        await using var services = MotoAws.Provider(new Uri($"http://127.0.0.1:{MotoServer.FreePort()}/"), new Dictionary<string, string?> { ["Aws:MaxAttempts"] = "1", ["Aws:RequestTimeoutSeconds"] = "2" });
        var page = await services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery());
        Assert.Equal(0, page.TotalCount);
        var region = Assert.Single(services.GetRequiredService<IInventoryStatus>().Current.Regions);
        Assert.False(region.Healthy);
        Assert.Contains("account 123456789012, region us-east-1", region.Error, StringComparison.Ordinal);
        Assert.Contains("DescribeInstances", region.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compute_UnconfiguredAccount_FailsWithoutCallingAws()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var result = await services.GetRequiredService<ICompute>().ApplyAsync(InstanceAction.Stop, [new InstanceRef("999999999999", "us-east-1", "i-0123456789abcdef0")], "k");
        Assert.Contains("not configured", Assert.Single(result.Targets).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compute_DryRunFirst_StillStops()
    {
        using var other = MotoAws.Ec2(moto.Url);
        var id = (await MotoAws.LaunchAsync(other, 1))[0];
        await using var services = MotoAws.Provider(moto.Url, new Dictionary<string, string?> { ["Aws:DryRunFirst"] = "true" });
        var result = await services.GetRequiredService<ICompute>().ApplyAsync(InstanceAction.Stop, [new InstanceRef(MotoServer.AccountId, "us-east-1", id)], "dry-1");
        Assert.True(result.AllSucceeded, result.Targets[0].Error);
        Assert.Equal(InstanceState.Stopped, (await services.GetRequiredService<IInventory>().FindAsync(new InstanceRef(MotoServer.AccountId, "us-east-1", id)))!.State);
    }

    [Fact]
    public async Task Launcher_SameKeyTwice_LaunchesOnce()
    {
        await using var services = MotoAws.Provider(moto.Url);
        using var other = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(other);
        var launcher = services.GetRequiredService<IInstanceLauncher>();
        var request = new LaunchRequest(MotoServer.AccountId, "us-east-1", image, "t3.micro", Name: "api", Tags: new Dictionary<string, string> { ["team"] = "ops" });

        var first = await launcher.LaunchAsync(request, "launch-api-1");
        var second = await launcher.LaunchAsync(request, "launch-api-1");

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Instances, second.Instances);
        var all = await other.DescribeInstancesAsync(new DescribeInstancesRequest());
        var launched = Assert.Single(all.Reservations.SelectMany(r => r.Instances));
        Assert.Contains(launched.Tags, t => t.Key == "Name" && t.Value == "api");
    }

    [Fact]
    public async Task Ec2Lifecycle_VolumesSnapshotsAndImages_RoundTrip()
    {
        using var other = MotoAws.Ec2(moto.Url);
        var id = (await MotoAws.LaunchAsync(other, 1, "db"))[0];
        await using var services = MotoAws.Provider(moto.Url);
        var scope = new CloudScope(MotoServer.AccountId, "us-east-1");
        var resources = services.GetRequiredService<ICloudResources>();
        var snapshots = services.GetRequiredService<ISnapshots>();

        var instance = await services.GetRequiredService<IInventory>().FindAsync(new InstanceRef(scope.AccountId, scope.Region, id));
        var root = Assert.Single(instance!.Volumes);
        Assert.True(root.SizeGiB > 0);
        var volumes = await resources.VolumesAsync(scope);
        Assert.Contains(volumes, v => v.VolumeId == root.VolumeId && v.AttachedTo == id);

        var snap = await snapshots.CreateSnapshotAsync(scope, root.VolumeId, "nightly", "snap-key-1");
        var again = await snapshots.CreateSnapshotAsync(scope, root.VolumeId, "nightly", "snap-key-1");
        Assert.Equal(snap.ResourceId, again.ResourceId);
        Assert.Single(await resources.SnapshotsAsync(scope), s => s.VolumeId == root.VolumeId);

        var image = await snapshots.CreateImageAsync(instance.Ref, "db-golden", reboot: false, "image-key-1");
        Assert.Contains(await resources.ImagesAsync(scope), i => i.ImageId == image.ResourceId && i.Name == "db-golden");
        await snapshots.DeregisterImageAsync(scope, image.ResourceId);
        await snapshots.DeleteSnapshotAsync(scope, snap.ResourceId);
        Assert.DoesNotContain(await resources.SnapshotsAsync(scope), s => s.SnapshotId == snap.ResourceId);
    }

    [Fact]
    public async Task Resources_NetworkKeysZonesOfferingsAndPrices_AreRead()
    {
        using var other = MotoAws.Ec2(moto.Url);
        await other.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "ops" });
        await using var services = MotoAws.Provider(moto.Url);
        var scope = new CloudScope(MotoServer.AccountId, "us-east-1");
        var resources = services.GetRequiredService<ICloudResources>();

        Assert.NotEmpty(await resources.SubnetsAsync(scope));
        Assert.Contains(await resources.SecurityGroupsAsync(scope), g => g.Name == "default");
        Assert.Contains(await resources.KeyPairsAsync(scope), k => k.KeyName == "ops");
        Assert.Contains(await resources.AvailabilityZonesAsync(scope), z => z.ZoneName == "us-east-1a");
        Assert.Contains(await resources.InstanceTypeOfferingsAsync(scope), o => o.InstanceType == "t3.micro");
        var prices = await resources.SpotPriceHistoryAsync(scope, ["t3.micro"], DateTimeOffset.UnixEpoch);
        Assert.All(prices, p => Assert.Equal("t3.micro", p.InstanceType));
    }

    [Fact]
    public async Task AssumeRole_SecondAccount_SeesOnlyItsOwnInstancesAndAssumesOnce()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url, new Dictionary<string, string?>
        {
            ["Aws:Accounts:1:Id"] = "210987654321",
            ["Aws:Accounts:1:DisplayName"] = "Shop",
            ["Aws:Accounts:1:RoleArn"] = "arn:aws:iam::210987654321:role/PortalOps",
            ["Aws:Accounts:1:ExternalId"] = "portalops-test",
            ["Aws:Accounts:1:Regions:0"] = "us-east-1",
        });
        using var other = MotoAws.Ec2(moto.Url);
        await MotoAws.LaunchAsync(other, 2, "main");

        var inventory = services.GetRequiredService<IInventory>();
        var summary = await inventory.SummarizeAsync();
        Assert.Equal(2, summary.Total);
        Assert.True(services.GetRequiredService<IInventoryStatus>().Current.Healthy);
        var shop = await inventory.QueryAsync(new InstanceQuery { AccountId = "210987654321" });
        Assert.Equal(0, shop.TotalCount);
        await services.GetRequiredService<IInventoryStatus>().RefreshAsync();
        Assert.Equal(1, proxy.CallsTo("AssumeRole")); // the session is cached until shortly before it expires
    }
}
