using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Sandbox;

public sealed class SandboxMetricsTests : IDisposable
{
    // A Wednesday.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 0, 10, 0, TimeSpan.Zero));
    private readonly SandboxCloud _cloud;
    private readonly SandboxMetrics _metrics;

    public SandboxMetricsTests()
    {
        _cloud = new SandboxCloud(Options.Create(new SandboxOptions()), _clock, new FleetEvents());
        _metrics = new SandboxMetrics(_cloud, _clock);
    }

    public void Dispose() => _cloud.Dispose();

    private async Task<IReadOnlyList<Instance>> RunningAsync() => (await Fleet.AllAsync(_cloud)).Where(i => i.State == InstanceState.Running).ToList();

    [Fact]
    public async Task Cpu_FollowsADailyPattern_StaysAPercentage_AndIsTheSameEveryTime()
    {
        var running = await RunningAsync();
        var day = _clock.GetUtcNow().Date;
        var series = running.Select(i => new SeriesKey(i.Ref, MetricKind.Cpu)).ToList();

        var fetch = await _metrics.FetchAsync(series, day, day.AddDays(1), TimeSpan.FromMinutes(5));
        var again = await _metrics.FetchAsync(series, day, day.AddDays(1), TimeSpan.FromMinutes(5));

        Assert.Equal(running.Count * 288, fetch.Points.Count);
        Assert.All(fetch.Points, p => Assert.InRange(p.Value, 0, 100));
        var afternoon = fetch.Points.Where(p => p.At.Hour is >= 13 and < 17).Average(p => p.Value);
        var night = fetch.Points.Where(p => p.At.Hour is >= 1 and < 5).Average(p => p.Value);
        Assert.True(afternoon > night + 10, $"afternoon {afternoon:0.0} vs night {night:0.0}");
        Assert.Equal(fetch.Points.Select(p => p.Value), again.Points.Select(p => p.Value));
        Assert.Equal(1, fetch.Calls);
    }

    [Fact]
    public async Task DiskMetrics_ExistOnlyForInstancesWithADataVolume()
    {
        var running = await RunningAsync();
        var now = _clock.GetUtcNow();

        var fetch = await _metrics.FetchAsync(running.Select(i => new SeriesKey(i.Ref, MetricKind.DiskRead)).ToList(), now.AddHours(-1), now, TimeSpan.FromMinutes(5));

        var withData = fetch.Points.Select(p => p.Instance).Distinct().ToHashSet();
        Assert.NotEmpty(withData);
        Assert.All(running, i => Assert.Equal(i.Volumes.Count > 1, withData.Contains(i.Ref)));
    }

    [Fact]
    public async Task OneInstance_FailsItsStatusCheckForHalfAnHourEveryFourHours()
    {
        var running = await RunningAsync();
        var failing = SandboxMetrics.FailingInstance(running)!;

        var statuses = await _metrics.StatusAsync(running.Select(i => i.Ref).ToList());
        var checks = await _metrics.FetchAsync([new SeriesKey(failing, MetricKind.StatusCheck)], _clock.GetUtcNow().Date, _clock.GetUtcNow().Date.AddHours(5), TimeSpan.FromMinutes(5));

        Assert.Equal(failing, Assert.Single(statuses, s => s.Impaired).Instance);
        Assert.Equal(12, checks.Points.Count(p => p.Value >= 1));
        Assert.All(checks.Points.Where(p => p.Value >= 1), p => Assert.True(p.At.Hour % 4 == 0 && p.At.Minute < 30));
    }
}
