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

    [Fact]
    public async Task CheckpointsRollbackAndVersion_ReachTheStubExactly_PauseShows_AndRollbackReachesTheStub()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var stub = new InstanceRefreshStub();
        stub.Install(proxy);
        await using var services = MotoAws.Provider(proxy.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        var scaling = services.GetRequiredService<IScaling>();
        var executor = new ScalingExecutor(scaling);
        var templateId = await TemplateAsync();
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: templateId, LaunchTemplateVersion: "1", AvailabilityZones: ["us-east-1a"]));
        var group = new GroupRef(Scope.AccountId, Scope.Region, "web");
        var target = (await executor.ResolveAsync(ActionKind.StartInstanceRefresh, group.AsTarget, CancellationToken.None))!;
        var request = new InstanceRefreshRequest(75, 60) { CheckpointPercentages = [50, 100], CheckpointDelaySeconds = 600, AutoRollback = true, LaunchTemplateVersion = "2" };

        var started = await executor.ExecuteAsync(ActionKind.StartInstanceRefresh, [target], request.ToParameters(), "k1", CancellationToken.None);

        Assert.True(started.Succeeded, started.Summary);
        var sent = Assert.Single(stub.Started);
        Assert.Equal(
            ("75", "60", "50", "100", "600", "true"),
            (sent["Preferences.MinHealthyPercentage"], sent["Preferences.InstanceWarmup"], sent["Preferences.CheckpointPercentages.member.1"], sent["Preferences.CheckpointPercentages.member.2"], sent["Preferences.CheckpointDelay"], sent["Preferences.AutoRollback"]));
        Assert.False(sent.ContainsKey("Preferences.CheckpointPercentages.member.3"));
        Assert.Equal((templateId, "2"), (sent["DesiredConfiguration.LaunchTemplate.LaunchTemplateId"], sent["DesiredConfiguration.LaunchTemplate.Version"]));
        Assert.False(sent.ContainsKey("DesiredConfiguration.LaunchTemplate.LaunchTemplateName"));

        // Pending → InProgress 0% → 25% → 50%, where it waits at the checkpoint.
        InstanceRefresh seen;
        do
        {
            seen = Assert.Single(await scaling.InstanceRefreshesAsync(group, 5));
        }
        while (seen.PercentageComplete < 50);
        Assert.True(seen.AtCheckpoint, seen.StatusReason);
        Assert.Equal([50, 100], seen.CheckpointPercentages);
        Assert.Equal((600, true, "2"), (seen.CheckpointDelaySeconds, seen.AutoRollback, seen.DesiredLaunchTemplateVersion));
        Assert.True(seen.MayRollBack);

        var rolledBack = await executor.ExecuteAsync(ActionKind.RollbackInstanceRefresh, [target], new Dictionary<string, string>(), "k2", CancellationToken.None);

        Assert.True(rolledBack.Succeeded, rolledBack.Summary);
        Assert.StartsWith("stub-", rolledBack.RequestId, StringComparison.Ordinal);
        Assert.Equal("web", Assert.Single(stub.RolledBack)["AutoScalingGroupName"]);
        Assert.Equal(1, proxy.CallsTo("RollbackInstanceRefresh"));
        var ended = Assert.Single(await scaling.InstanceRefreshesAsync(group, 5));
        Assert.Equal(InstanceRefreshStatus.RollbackSuccessful, ended.Status);
        Assert.False(ended.IsRunning);
    }

    [Fact]
    public async Task Rollback_OfARefreshWithoutVersion_IsRefusedBeforeAws_AndAwsWouldRefuseItToo()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var stub = new InstanceRefreshStub();
        stub.Install(proxy);
        await using var services = MotoAws.Provider(proxy.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        var scaling = services.GetRequiredService<IScaling>();
        var executor = new ScalingExecutor(scaling);
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: await TemplateAsync(), LaunchTemplateVersion: "1", AvailabilityZones: ["us-east-1a"]));
        var group = new GroupRef(Scope.AccountId, Scope.Region, "web");
        var target = (await executor.ResolveAsync(ActionKind.StartInstanceRefresh, group.AsTarget, CancellationToken.None))!;
        Assert.True((await executor.ExecuteAsync(ActionKind.StartInstanceRefresh, [target], new InstanceRefreshRequest().ToParameters(), "k1", CancellationToken.None)).Succeeded);
        Assert.False(Assert.Single(stub.Started).ContainsKey("DesiredConfiguration.LaunchTemplate.Version"));

        var refused = await executor.ExecuteAsync(ActionKind.RollbackInstanceRefresh, [target], new Dictionary<string, string>(), "k2", CancellationToken.None);

        Assert.False(refused.Succeeded);
        Assert.Contains("named no launch template version", refused.Summary, StringComparison.Ordinal);
        Assert.Equal(0, proxy.CallsTo("RollbackInstanceRefresh"));
        var aws = await Assert.ThrowsAsync<AwsServiceException>(() => api.RollbackInstanceRefreshAsync(Scope, "web"));
        Assert.Equal("IrreversibleInstanceRefresh", aws.ErrorCode);
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
