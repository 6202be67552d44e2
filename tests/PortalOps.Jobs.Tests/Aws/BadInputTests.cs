using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws;

/// <summary>Missing permissions and expired credentials: clear messages naming account and region, with the request id.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class BadInputTests(MotoServer moto) : IAsyncLifetime
{
    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Inventory_UnauthorizedOperation_RecordsAccessDeniedWithRequestId()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Fail("DescribeInstances", "UnauthorizedOperation");
        await using var services = MotoAws.Provider(proxy.Url);

        var status = await services.GetRequiredService<IInventoryStatus>().RefreshAsync();

        var region = Assert.Single(status.Regions);
        Assert.Equal("UnauthorizedOperation", region.ErrorCode);
        Assert.StartsWith("denied-", region.RequestId, StringComparison.Ordinal);
        Assert.StartsWith("Access denied in account 123456789012, region us-east-1 (DescribeInstances)", region.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_ExpiredToken_FailsEachTargetWithExpiredCredentials()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2);
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Fail("StopInstances", "RequestExpired", 400);
        await using var services = MotoAws.Provider(proxy.Url);

        var result = await services.GetRequiredService<ICompute>().ApplyAsync(InstanceAction.Stop, ids.Select(i => new InstanceRef(MotoServer.AccountId, "us-east-1", i)).ToList(), "expired-1");

        Assert.All(result.Targets, t =>
        {
            Assert.False(t.Succeeded);
            Assert.StartsWith("Expired credentials in account 123456789012, region us-east-1 (StopInstances)", t.Error, StringComparison.Ordinal);
        });
        Assert.StartsWith("denied-", result.RequestId, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(ids.Select(i => services.GetRequiredService<IInventory>().FindAsync(new InstanceRef(MotoServer.AccountId, "us-east-1", i)))),
            i => Assert.Equal(InstanceState.Running, i!.State));
    }

    [Fact]
    public async Task Stop_DryRunFirstWithoutPermission_ChangesNothing()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var id = (await MotoAws.LaunchAsync(ec2, 1))[0];
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Fail("StopInstances", "UnauthorizedOperation");
        await using var services = MotoAws.Provider(proxy.Url, new Dictionary<string, string?> { ["Aws:DryRunFirst"] = "true" });

        var result = await services.GetRequiredService<ICompute>().ApplyAsync(InstanceAction.Stop, [new InstanceRef(MotoServer.AccountId, "us-east-1", id)], "dry-denied");

        Assert.Contains("Access denied", Assert.Single(result.Targets).Error, StringComparison.Ordinal);
        Assert.Equal(1, proxy.CallsTo("StopInstances"));
    }

    [Fact]
    public async Task Launch_UnauthorizedOperation_ThrowsMessageNamingAccountRegionAndRequestId()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(ec2);
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Fail("RunInstances", "UnauthorizedOperation");
        await using var services = MotoAws.Provider(proxy.Url);

        var error = await Assert.ThrowsAsync<Jobs.Aws.AwsOperationException>(() =>
            services.GetRequiredService<IInstanceLauncher>().LaunchAsync(new LaunchRequest(MotoServer.AccountId, "us-east-1", image, "t3.micro"), "denied-launch"));

        Assert.StartsWith("Access denied in account 123456789012, region us-east-1 (RunInstances)", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("denied-", error.Failure.RequestId, StringComparison.Ordinal);
        Assert.Equal(1, proxy.CallsTo("RunInstances"));
    }

    [Fact]
    public async Task OwnClient_AccessDenied_RaisesTypedErrorAtOnceWithCodeAndRequestId()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Fail("DescribeAutoScalingGroups", "AccessDenied");
        await using var services = MotoAws.Provider(proxy.Url);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<IAutoScalingApi>().DescribeGroupsAsync(new CloudScope(MotoServer.AccountId, "us-east-1")));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.StartsWith("denied-", error.RequestId, StringComparison.Ordinal);
        Assert.Equal(1, proxy.CallsTo("DescribeAutoScalingGroups"));
        var failure = Jobs.Aws.AwsFailure.From(error, MotoServer.AccountId, "us-east-1", "DescribeAutoScalingGroups");
        Assert.StartsWith("Access denied in account 123456789012, region us-east-1", failure.ToString(), StringComparison.Ordinal);
    }
}
