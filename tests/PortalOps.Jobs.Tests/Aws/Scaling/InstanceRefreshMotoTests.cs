using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Scaling;

/// <summary>
/// Instance refresh through the executor and our Auto Scaling client: the group lives in moto, while StartInstanceRefresh,
/// DescribeInstanceRefreshes and CancelInstanceRefresh (which moto lacks) are answered by <see cref="InstanceRefreshStub"/>,
/// a stub built from AWS's documented shapes, behind the loopback proxy.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class InstanceRefreshMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task StartWatchCancel_ThroughTheExecutor_ReachAwsAsChosen_WithRequestIds()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var stub = new InstanceRefreshStub();
        stub.Install(proxy);
        await using var services = MotoAws.Provider(proxy.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        var scaling = services.GetRequiredService<IScaling>();
        var executor = new ScalingExecutor(scaling);
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: await TemplateAsync(), LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a"]));
        var group = new GroupRef(Scope.AccountId, Scope.Region, "web");
        var target = (await executor.ResolveAsync(ActionKind.StartInstanceRefresh, group.AsTarget, CancellationToken.None))!;

        var started = await executor.ExecuteAsync(ActionKind.StartInstanceRefresh, [target], new InstanceRefreshRequest(80, 120, SkipMatching: true).ToParameters(), "k1", CancellationToken.None);

        Assert.True(started.Succeeded, started.Summary);
        Assert.StartsWith("stub-", started.RequestId, StringComparison.Ordinal);
        var sent = Assert.Single(stub.Started);
        Assert.Equal(("web", "Rolling", "80", "120", "true"), (sent["AutoScalingGroupName"], sent["Strategy"], sent["Preferences.MinHealthyPercentage"], sent["Preferences.InstanceWarmup"], sent["Preferences.SkipMatching"]));

        var watching = Assert.Single(await scaling.InstanceRefreshesAsync(group, 5));
        Assert.True(watching.IsRunning);
        Assert.Equal((80, 120, true), (watching.MinHealthyPercentage, watching.InstanceWarmupSeconds, watching.SkipMatching));
        var later = Assert.Single(await scaling.InstanceRefreshesAsync(group, 5));
        Assert.Equal(InstanceRefreshStatus.InProgress, later.Status);
        Assert.True(later.PercentageComplete > 0, $"{later.PercentageComplete}% complete");

        var again = await executor.ExecuteAsync(ActionKind.StartInstanceRefresh, [target], new InstanceRefreshRequest().ToParameters(), "k2", CancellationToken.None);
        Assert.False(again.Succeeded);
        Assert.Contains("already running on web", again.Summary, StringComparison.Ordinal);
        Assert.Single(stub.Started);
        var refused = await Assert.ThrowsAsync<AwsServiceException>(() => api.StartInstanceRefreshAsync(Scope, new InstanceRefreshSpec("web")));
        Assert.Equal("InstanceRefreshInProgress", refused.ErrorCode);

        var cancelled = await executor.ExecuteAsync(ActionKind.CancelInstanceRefresh, [target], new Dictionary<string, string>(), "k3", CancellationToken.None);
        Assert.True(cancelled.Succeeded, cancelled.Summary);
        Assert.StartsWith("stub-", cancelled.RequestId, StringComparison.Ordinal);
        var ended = Assert.Single(await scaling.InstanceRefreshesAsync(group, 5));
        Assert.Equal(InstanceRefreshStatus.Cancelled, ended.Status);
        Assert.NotNull(ended.EndedAt);

        var nothing = await executor.ExecuteAsync(ActionKind.CancelInstanceRefresh, [target], new Dictionary<string, string>(), "k4", CancellationToken.None);
        Assert.False(nothing.Succeeded);
        Assert.Equal("No instance refresh is running on web.", nothing.Summary);
        Assert.Equal(1, proxy.CallsTo("CancelInstanceRefresh"));
    }

    private async Task<string> TemplateAsync()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var template = await ec2.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
        {
            LaunchTemplateName = $"t-{Guid.NewGuid():N}"[..20],
            LaunchTemplateData = new RequestLaunchTemplateData { ImageId = await MotoAws.AnyImageIdAsync(ec2), InstanceType = Amazon.EC2.InstanceType.T3Micro },
        });
        return template.LaunchTemplate.LaunchTemplateId;
    }
}
