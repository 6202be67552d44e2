using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Sandbox;

public sealed class SandboxInstanceStatusTests : IDisposable
{
    // 00:10 UTC: inside the half hour in which the Sandbox's one failing instance is impaired.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 0, 10, 0, TimeSpan.Zero));
    private readonly SandboxCloud _cloud;
    private readonly SandboxInstanceStatus _status;

    public SandboxInstanceStatusTests()
    {
        _cloud = new SandboxCloud(Options.Create(new SandboxOptions()), _clock, new FleetEvents());
        _status = new SandboxInstanceStatus(_cloud, new SandboxMetrics(_cloud, _clock));
    }

    public void Dispose() => _cloud.Dispose();

    [Fact]
    public async Task ReadAsync_StateFromTheSimulatedInstance_ChecksFromTheSandboxMetrics_UnknownLeftOut()
    {
        var fleet = await Fleet.AllAsync(_cloud);
        var failing = SandboxMetrics.FailingInstance(fleet)!;
        var healthy = fleet.First(i => i.State == InstanceState.Running && i.Ref != failing).Ref;
        var stopped = fleet.First(i => i.State == InstanceState.Stopped).Ref;
        var unknown = healthy with { InstanceId = "i-00000000000000000" };

        var statuses = (await _status.ReadAsync([failing, healthy, stopped, unknown])).ToDictionary(s => s.Instance);

        Assert.Equal(3, statuses.Count);
        Assert.DoesNotContain(unknown, statuses.Keys);
        Assert.True(statuses[failing].Impaired);
        Assert.Equal(new LiveInstanceStatus(healthy, InstanceState.Running, CheckStatus.Ok, CheckStatus.Ok), statuses[healthy]);
        Assert.True(statuses[stopped].Down);
        Assert.Equal(CheckStatus.NotApplicable, statuses[stopped].InstanceCheck);
    }

    [Fact]
    public async Task ReadAsync_InstanceStoppedDuringARun_IsReportedDown()
    {
        var running = (await Fleet.AllAsync(_cloud)).Last(i => i.State == InstanceState.Running).Ref;
        Assert.False((await _status.ReadAsync([running])).Single().Down);

        await _cloud.ApplyAsync(InstanceAction.Stop, [running], "stop-during-patching");
        _clock.Advance(TimeSpan.FromMinutes(5));

        var after = Assert.Single(await _status.ReadAsync([running]));
        Assert.True(after.Down);
        Assert.Equal(InstanceState.Stopped, after.State);
    }
}
