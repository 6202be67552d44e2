using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Costs;

/// <summary>The resize and volume-type executor over the sandbox, with its real state timings.</summary>
public sealed class SandboxCostActionsTests : IDisposable
{
    private readonly SandboxCloud _cloud = new(Options.Create(new SandboxOptions { PendingSeconds = 0.2, StoppingSeconds = 0.2 }), TimeProvider.System, new FleetEvents());

    public void Dispose() => _cloud.Dispose();

    private ResizeExecutor Executor() => new(_cloud, _cloud, _cloud, _cloud, TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(50), StateTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Resize_RunningInstance_StopsChangesTheTypeAndRunsAgain()
    {
        var instance = (await Fleet.AllAsync(_cloud)).First(i => i.State == InstanceState.Running && i.InstanceType == "t3.medium");

        var result = await Executor().ExecuteAsync(ActionKind.ResizeInstances, [new ResolvedTarget(instance.Ref, instance.Name, instance.Tags)],
            new Dictionary<string, string> { [ResizeParameters.InstanceType] = "t3.small" }, "resize-1", CancellationToken.None);

        Assert.True(result.Succeeded, result.Summary);
        var after = await _cloud.FindAsync(instance.Ref);
        Assert.Equal(("t3.small", InstanceState.Running), (after!.InstanceType, after.State));
    }

    [Fact]
    public async Task Resize_ToAnArmType_IsRefusedAndTheInstanceKeepsRunning()
    {
        var instance = (await Fleet.AllAsync(_cloud)).First(i => i.State == InstanceState.Running && i.InstanceType == "t3.medium");

        var result = await Executor().ExecuteAsync(ActionKind.ResizeInstances, [new ResolvedTarget(instance.Ref, instance.Name, instance.Tags)],
            new Dictionary<string, string> { [ResizeParameters.InstanceType] = "t4g.medium" }, "resize-2", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("arm64", result.Summary, StringComparison.Ordinal);
        var after = await _cloud.FindAsync(instance.Ref);
        Assert.Equal(("t3.medium", InstanceState.Running), (after!.InstanceType, after.State));
    }

    [Fact]
    public async Task ModifyVolume_Gp2RootVolume_BecomesGp3InPlace()
    {
        var web = (await Fleet.AllAsync(_cloud)).First(i => i.Volumes.Any(v => v.VolumeType == "gp2") && i.State == InstanceState.Running);
        var volume = web.Volumes.First(v => v.VolumeType == "gp2");
        var executor = Executor();
        var target = await executor.ResolveAsync(ActionKind.ModifyVolumes, new InstanceRef(web.AccountId, web.Region, volume.VolumeId), CancellationToken.None);

        var result = await executor.ExecuteAsync(ActionKind.ModifyVolumes, [target!], new Dictionary<string, string> { [ResizeParameters.VolumeType] = "gp3" }, "gp3-1", CancellationToken.None);
        var bad = await executor.ExecuteAsync(ActionKind.ModifyVolumes, [target!], new Dictionary<string, string> { [ResizeParameters.VolumeType] = "gp9" }, "gp3-2", CancellationToken.None);

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal("gp3", (await _cloud.FindAsync(web.Ref))!.Volumes.Single(v => v.VolumeId == volume.VolumeId).VolumeType);
        Assert.Equal(InstanceState.Running, (await _cloud.FindAsync(web.Ref))!.State);
        Assert.False(bad.Succeeded);
        Assert.Contains("'gp9' is not a volume type", bad.Summary, StringComparison.Ordinal);
    }
}
