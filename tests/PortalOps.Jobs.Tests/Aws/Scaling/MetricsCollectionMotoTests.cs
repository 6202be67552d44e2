using System.Net;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Scaling;

/// <summary>
/// Enabling group metrics collection on moto (which implements EnableMetricsCollection): the executor's call reaches moto with
/// Granularity 1Minute and the metrics the capacity chart reads, and DescribeAutoScalingGroups then lists them as EnabledMetrics.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class MetricsCollectionMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EnableMetricsCollection_ThroughTheExecutor_ReachesMotoWith1Minute_AndTheGroupThenListsTheMetrics()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        var scaling = services.GetRequiredService<IScaling>();
        var executor = new ScalingExecutor(scaling);
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: await TemplateAsync(), LaunchTemplateVersion: "1", AvailabilityZones: ["us-east-1a"]));
        var group = new GroupRef(Scope.AccountId, Scope.Region, "web");
        var before = await scaling.FindGroupAsync(group);
        Assert.NotNull(before);
        Assert.Empty(before.EnabledMetrics);
        Assert.False(before.CollectsCapacityMetrics);
        var target = (await executor.ResolveAsync(ActionKind.EnableMetricsCollection, group.AsTarget, CancellationToken.None))!;

        var enabled = await executor.ExecuteAsync(ActionKind.EnableMetricsCollection, [target], new Dictionary<string, string>(), "k1", CancellationToken.None);

        Assert.True(enabled.Succeeded, enabled.Summary);
        Assert.False(string.IsNullOrEmpty(enabled.RequestId));
        Assert.Equal(1, proxy.CallsTo("EnableMetricsCollection"));
        var body = WebUtility.UrlDecode(Assert.Single(proxy.RecordedCalls, c => c.Body.Contains("Action=EnableMetricsCollection", StringComparison.Ordinal)).Body);
        Assert.Contains("AutoScalingGroupName=web", body, StringComparison.Ordinal);
        Assert.Contains("Granularity=1Minute", body, StringComparison.Ordinal);
        Assert.Contains("Metrics.member.3=GroupDesiredCapacity", body, StringComparison.Ordinal);
        Assert.Contains("Metrics.member.4=GroupInServiceInstances", body, StringComparison.Ordinal);
        Assert.DoesNotContain($"Metrics.member.{GroupMetrics.Enabled.Count + 1}=", body, StringComparison.Ordinal);

        var described = Assert.Single(await api.DescribeGroupsAsync(Scope, ["web"]));
        Assert.Equal(GroupMetrics.Enabled, described.EnabledMetrics);
        var after = await scaling.FindGroupAsync(group);
        Assert.True(after!.CollectsCapacityMetrics);
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
