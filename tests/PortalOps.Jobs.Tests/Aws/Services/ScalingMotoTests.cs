using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Aws.Scaling;
using ScalingPolicy = PortalOps.Domain.Scaling.ScalingPolicy;
using ScheduledAction = PortalOps.Domain.Scaling.ScheduledAction;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>The <see cref="IScaling"/> port over our Auto Scaling client, against moto: listing at the minimum pages, and every change as chosen.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class ScalingMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ListGroups_AcrossPages_ReadsEveryGroupWithItsDetails()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        var template = await TemplateAsync();
        for (var n = 0; n < 105; n++)
        {
            await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec($"g-{n:D3}", 0, 3, 0, LaunchTemplateId: template, LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a", "us-east-1b"], Tags: [new AsgTag("env", n % 2 == 0 ? "prod" : "dev")]));
        }

        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: template, LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a"], Tags: [new AsgTag("env", "prod")]));

        var listing = await services.GetRequiredService<IScaling>().ListGroupsAsync();

        Assert.Empty(listing.Problems);
        Assert.Equal(106, listing.Groups.Count);
        var web = Assert.Single(listing.Groups, g => g.Name == "web");
        Assert.Equal((1, 2, 4, 2), (web.MinSize, web.DesiredCapacity, web.MaxSize, web.InService));
        Assert.Equal(["us-east-1a"], web.AvailabilityZones);
        Assert.Equal("prod", web.Tags["env"]);
        Assert.NotNull(web.LaunchTemplate);
    }

    [Fact]
    public async Task EveryChange_ThroughTheExecutor_ReachesMotoExactlyAsChosen()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        var scaling = services.GetRequiredService<IScaling>();
        var executor = new ScalingExecutor(scaling);
        var template = await TemplateAsync();
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: template, LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a"]));
        var group = new GroupRef(Scope.AccountId, Scope.Region, "web");
        var target = await executor.ResolveAsync(Domain.Actions.ActionKind.SetGroupCapacity, group.AsTarget, CancellationToken.None);
        Assert.NotNull(target);

        async Task<string?> Run(Domain.Actions.ActionKind kind, IReadOnlyDictionary<string, string> parameters)
        {
            var result = await executor.ExecuteAsync(kind, [target!], parameters, Guid.NewGuid().ToString("N"), CancellationToken.None);
            Assert.True(result.Succeeded, result.Summary);
            Assert.False(string.IsNullOrEmpty(result.RequestId));
            return result.RequestId;
        }

        await Run(Domain.Actions.ActionKind.SetGroupCapacity, new CapacityChange(2, 3, 6).ToParameters());
        var changed = Assert.Single(await api.DescribeGroupsAsync(Scope, ["web"]));
        Assert.Equal((2, 3, 6), (changed.MinSize, changed.DesiredCapacity, changed.MaxSize));

        var tracking = new ScalingPolicy("cpu55", PolicyKind.TargetTracking) { Metric = TrackedMetric.Cpu, TargetValue = 55, DisableScaleIn = true };
        var steps = new ScalingPolicy("steps", PolicyKind.Step) { AdjustmentType = AdjustmentType.ChangeInCapacity, Steps = [new(0, 15, 1), new(15, null, 3)], WarmupSeconds = 90 };
        var simple = new ScalingPolicy("simple", PolicyKind.Simple) { AdjustmentType = AdjustmentType.ExactCapacity, Adjustment = 4, Cooldown = 120 };
        foreach (var policy in new[] { tracking, steps, simple })
        {
            await Run(Domain.Actions.ActionKind.PutScalingPolicy, new Dictionary<string, string> { [ScalingExecutor.PolicyParameter] = policy.ToJson() });
        }

        var policies = (await scaling.PoliciesAsync(group)).ToDictionary(p => p.Name);
        Assert.Equal((PolicyKind.TargetTracking, TrackedMetric.Cpu, 55d, true), (policies["cpu55"].Kind, policies["cpu55"].Metric, policies["cpu55"].TargetValue, policies["cpu55"].DisableScaleIn));
        Assert.Equal(steps.Steps, policies["steps"].Steps);
        Assert.Equal(PolicyKind.Step, policies["steps"].Kind);
        Assert.Equal((PolicyKind.Simple, AdjustmentType.ExactCapacity, 4, 120), (policies["simple"].Kind, policies["simple"].AdjustmentType, policies["simple"].Adjustment, policies["simple"].Cooldown));

        await Run(Domain.Actions.ActionKind.DeleteScalingPolicy, new Dictionary<string, string> { [ScalingExecutor.NameParameter] = "steps" });
        Assert.Equal(["cpu55", "simple"], (await scaling.PoliciesAsync(group)).Select(p => p.Name).Order());

        var night = new ScheduledAction("night") { Recurrence = "0 22 * * MON-FRI", TimeZone = "Europe/Berlin", MinSize = 0, DesiredCapacity = 1, MaxSize = 2 };
        await Run(Domain.Actions.ActionKind.PutScheduledAction, new Dictionary<string, string> { [ScalingExecutor.ScheduledParameter] = night.ToJson() });
        var stored = Assert.Single(await scaling.ScheduledActionsAsync(group));
        Assert.Equal((night.Recurrence, night.MinSize, night.DesiredCapacity, night.MaxSize), (stored.Recurrence, stored.MinSize, stored.DesiredCapacity, stored.MaxSize));

        await Run(Domain.Actions.ActionKind.DeleteScheduledAction, new Dictionary<string, string> { [ScalingExecutor.NameParameter] = "night" });
        Assert.Empty(await scaling.ScheduledActionsAsync(group));

        await Run(Domain.Actions.ActionKind.SuspendProcesses, new Dictionary<string, string> { [ScalingExecutor.ProcessesParameter] = "AZRebalance,AlarmNotification" });
        Assert.Equal(["AZRebalance", "AlarmNotification"], (await scaling.FindGroupAsync(group))!.SuspendedProcesses.Order(StringComparer.Ordinal));
        await Run(Domain.Actions.ActionKind.ResumeProcesses, new Dictionary<string, string> { [ScalingExecutor.ProcessesParameter] = "AZRebalance" });
        Assert.Equal(["AlarmNotification"], (await scaling.FindGroupAsync(group))!.SuspendedProcesses);
    }

    [Fact]
    public async Task BadCapacity_IsRefusedByTheExecutor_AndNothingReachesMoto()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var api = services.GetRequiredService<IAutoScalingApi>();
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: await TemplateAsync(), LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a"]));
        var executor = new ScalingExecutor(services.GetRequiredService<IScaling>());
        var target = (await executor.ResolveAsync(Domain.Actions.ActionKind.SetGroupCapacity, new GroupRef(Scope.AccountId, Scope.Region, "web").AsTarget, CancellationToken.None))!;

        var result = await executor.ExecuteAsync(Domain.Actions.ActionKind.SetGroupCapacity, [target], new CapacityChange(5, 3, 2).ToParameters(), "k", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal((1, 2, 4), ((await api.DescribeGroupsAsync(Scope, ["web"]))[0].MinSize, (await api.DescribeGroupsAsync(Scope, ["web"]))[0].DesiredCapacity, (await api.DescribeGroupsAsync(Scope, ["web"]))[0].MaxSize));
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
