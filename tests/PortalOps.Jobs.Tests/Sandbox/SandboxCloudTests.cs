using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Sandbox;

public sealed class SandboxCloudTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly FleetEvents _events = new();
    private readonly SandboxCloud _cloud;

    public SandboxCloudTests() => _cloud = new SandboxCloud(Options.Create(new SandboxOptions()), _clock, _events);

    public void Dispose() => _cloud.Dispose();

    [Fact]
    public async Task Fleet_Default_HasMixedStatesTypesRegionsAndVolumes()
    {
        var all = await _cloud.QueryAsync(new InstanceQuery { PageSize = 500 });

        Assert.Equal(30, all.TotalCount);
        Assert.Equal(2, all.Items.Select(i => i.Region).Distinct().Count());
        Assert.Contains(all.Items, i => i.State == InstanceState.Running);
        Assert.Contains(all.Items, i => i.State == InstanceState.Stopped);
        Assert.True(all.Items.Select(i => i.InstanceType).Distinct().Count() >= 4);
        Assert.True(all.Items.Select(i => i.AvailabilityZone).Distinct().Count() >= 4);
        Assert.All(all.Items, i => Assert.NotEmpty(i.Volumes));
        Assert.All(all.Items, i => Assert.Matches("^i-[0-9a-f]{17}$", i.InstanceId));
        Assert.True(_cloud.IsSandbox);
        Assert.Equal("Sandbox", _cloud.Accounts.Single().DisplayName);
    }

    [Fact]
    public async Task Fleet_SameSeed_SameInstances()
    {
        using var other = new SandboxCloud(Options.Create(new SandboxOptions()), _clock, new FleetEvents());

        var a = await _cloud.QueryAsync(new InstanceQuery { PageSize = 500, SortBy = InstanceSort.InstanceId });
        var b = await other.QueryAsync(new InstanceQuery { PageSize = 500, SortBy = InstanceSort.InstanceId });

        Assert.Equal(a.Items.Select(i => i.InstanceId), b.Items.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task ApplyAsync_StartStopped_PendingThenRunningAfterDelay()
    {
        var stopped = await FirstAsync(InstanceState.Stopped);
        var published = new List<InstanceRef>();
        using var _ = _events.Subscribe(published.Add);

        var result = await _cloud.ApplyAsync(InstanceAction.Start, [stopped.Ref], "k1");

        Assert.True(result.AllSucceeded);
        Assert.StartsWith("sandbox-", result.RequestId);
        Assert.Equal(InstanceState.Pending, (await _cloud.FindAsync(stopped.Ref))!.State);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(InstanceState.Pending, (await _cloud.FindAsync(stopped.Ref))!.State);
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(InstanceState.Running, (await _cloud.FindAsync(stopped.Ref))!.State);
        Assert.Equal(2, published.Count(r => r == stopped.Ref));
    }

    [Fact]
    public async Task ApplyAsync_StopRunning_StoppingThenStopped()
    {
        var running = await FirstAsync(InstanceState.Running);

        await _cloud.ApplyAsync(InstanceAction.Stop, [running.Ref], "k1");
        Assert.Equal(InstanceState.Stopping, (await _cloud.FindAsync(running.Ref))!.State);
        _clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(InstanceState.Stopped, (await _cloud.FindAsync(running.Ref))!.State);
    }

    [Fact]
    public async Task ApplyAsync_Terminate_ShuttingDownThenTerminatedAndLeavesSummary()
    {
        var running = await FirstAsync(InstanceState.Running);
        var before = await _cloud.SummarizeAsync();

        await _cloud.ApplyAsync(InstanceAction.Terminate, [running.Ref], "k1");
        Assert.Equal(InstanceState.ShuttingDown, (await _cloud.FindAsync(running.Ref))!.State);
        _clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(InstanceState.Terminated, (await _cloud.FindAsync(running.Ref))!.State);
        Assert.Equal(before.Live - 1, (await _cloud.SummarizeAsync()).Live);
    }

    [Fact]
    public async Task ApplyAsync_SameIdempotencyKey_ActsOnce()
    {
        var running = await FirstAsync(InstanceState.Running);
        var first = await _cloud.ApplyAsync(InstanceAction.Stop, [running.Ref], "same");
        _clock.Advance(TimeSpan.FromSeconds(6));

        var second = await _cloud.ApplyAsync(InstanceAction.Start, [running.Ref], "same");

        Assert.Same(first, second);
        Assert.Equal(InstanceState.Stopped, (await _cloud.FindAsync(running.Ref))!.State);
    }

    [Fact]
    public async Task ApplyAsync_RebootStopped_FailsWithIncorrectState()
    {
        var stopped = await FirstAsync(InstanceState.Stopped);

        var result = await _cloud.ApplyAsync(InstanceAction.Reboot, [stopped.Ref], "k1");

        var target = Assert.Single(result.Targets);
        Assert.False(target.Succeeded);
        Assert.Contains("IncorrectInstanceState", target.Error);
        Assert.Equal(InstanceState.Stopped, (await _cloud.FindAsync(stopped.Ref))!.State);
    }

    [Fact]
    public async Task ApplyAsync_UnknownInstance_FailsWithNotFound()
    {
        var result = await _cloud.ApplyAsync(InstanceAction.Stop, [new InstanceRef(SandboxFleet.AccountId, "eu-west-1", "i-00000000000000000")], "k1");

        Assert.Contains("InvalidInstanceID.NotFound", Assert.Single(result.Targets).Error);
    }

    private async Task<Instance> FirstAsync(InstanceState state) =>
        (await _cloud.QueryAsync(new InstanceQuery { State = state, PageSize = 1 })).Items.Single();
}
