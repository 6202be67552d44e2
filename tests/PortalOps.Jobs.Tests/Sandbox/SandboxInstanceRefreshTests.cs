using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Sandbox;

public sealed class SandboxInstanceRefreshTests
{
    private static readonly GroupRef Api = new(SandboxFleet.AccountId, "eu-west-1", "prod-api");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
    private readonly SandboxScaling _scaling;

    public SandboxInstanceRefreshTests() => _scaling = new SandboxScaling(Options.Create(new SandboxOptions { PendingSeconds = 4, ShuttingDownSeconds = 5 }), _clock);

    [Fact]
    public async Task Refresh_ProgressesOverMinutes_ReplacingEveryInstance_ThenSucceeds()
    {
        var before = (await _scaling.FindGroupAsync(Api))!;
        var requestId = await _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest(50, 30));
        Assert.StartsWith("sandbox-", requestId, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest()));

        var seen = new List<InstanceRefresh>();
        var elapsed = TimeSpan.Zero;
        while (elapsed < TimeSpan.FromMinutes(15))
        {
            var now = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];
            seen.Add(now);
            if (!now.IsRunning)
            {
                break;
            }

            _clock.Advance(TimeSpan.FromSeconds(5));
            elapsed += TimeSpan.FromSeconds(5);
        }

        var after = (await _scaling.FindGroupAsync(Api))!;
        Assert.Equal(InstanceRefreshStatus.Successful, seen[^1].Status);
        Assert.Equal((100, 0), (seen[^1].PercentageComplete, seen[^1].InstancesToUpdate));
        Assert.Equal(InstanceRefreshStatus.Pending, seen[0].Status);
        Assert.Contains(seen, r => r.Status == InstanceRefreshStatus.InProgress && r.PercentageComplete is > 0 and < 100);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second.PercentageComplete >= p.First.PercentageComplete), "the percentage only rises");
        Assert.InRange(elapsed, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10));
        Assert.Empty(before.Instances.Select(i => i.InstanceId).Intersect(after.Instances.Select(i => i.InstanceId)));
        Assert.Equal(after.DesiredCapacity, after.InService);
    }

    [Fact]
    public async Task Cancel_GoesThroughCancellingToCancelled_BeforeTheEnd()
    {
        await _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest(50, 60));
        _clock.Advance(TimeSpan.FromSeconds(30));
        await _scaling.FindGroupAsync(Api);

        await _scaling.CancelInstanceRefreshAsync(Api);
        var cancelling = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];
        _clock.Advance(SandboxScaling.RefreshStartDelay);
        var cancelled = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];

        Assert.Equal(InstanceRefreshStatus.Cancelling, cancelling.Status);
        Assert.Equal(InstanceRefreshStatus.Cancelled, cancelled.Status);
        Assert.True(cancelled.PercentageComplete < 100);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _scaling.CancelInstanceRefreshAsync(Api));
    }
    [Fact]
    public async Task Checkpoints_PauseTheRefreshAtEachForTheDelay_ThenItSucceeds()
    {
        await _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest(50, 30) { CheckpointPercentages = [50, 100], CheckpointDelaySeconds = 60 });

        var seen = new List<(TimeSpan At, InstanceRefresh Refresh)>();
        var elapsed = TimeSpan.Zero;
        while (elapsed < TimeSpan.FromMinutes(15))
        {
            var now = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];
            seen.Add((elapsed, now));
            if (!now.IsRunning)
            {
                break;
            }

            _clock.Advance(TimeSpan.FromSeconds(5));
            elapsed += TimeSpan.FromSeconds(5);
        }

        var paused = seen.Where(s => s.Refresh.AtCheckpoint).ToList();
        Assert.NotEmpty(paused);
        Assert.All(paused, p => Assert.Equal(50, p.Refresh.PercentageComplete));
        Assert.Contains("checkpoint 50%", paused[0].Refresh.StatusReason, StringComparison.Ordinal);
        Assert.InRange(paused[^1].At - paused[0].At, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal(InstanceRefreshStatus.Successful, seen[^1].Refresh.Status);
        Assert.Equal([50, 100], seen[^1].Refresh.CheckpointPercentages);
    }

    [Fact]
    public async Task Rollback_OfARefreshWithAVersion_GoesThroughRollbackInProgressToRollbackSuccessful_WithoutOneIsRefused()
    {
        await _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest(50, 30));
        _clock.Advance(TimeSpan.FromSeconds(15));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _scaling.RollbackInstanceRefreshAsync(Api));
        await _scaling.CancelInstanceRefreshAsync(Api);
        _clock.Advance(SandboxScaling.RefreshStartDelay);
        Assert.Equal(InstanceRefreshStatus.Cancelled, (await _scaling.InstanceRefreshesAsync(Api, 5))[0].Status);

        await _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest(50, 30) { LaunchTemplateVersion = "13" });
        _clock.Advance(TimeSpan.FromSeconds(30));
        var running = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];
        Assert.True(running.MayRollBack);

        Assert.StartsWith("sandbox-", await _scaling.RollbackInstanceRefreshAsync(Api), StringComparison.Ordinal);
        var rolling = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];
        _clock.Advance(TimeSpan.FromMinutes(2));
        var rolled = (await _scaling.InstanceRefreshesAsync(Api, 5))[0];

        Assert.Equal(InstanceRefreshStatus.RollbackInProgress, rolling.Status);
        Assert.True(rolling.IsRunning);
        Assert.Equal(InstanceRefreshStatus.RollbackSuccessful, rolled.Status);
        Assert.NotNull(rolled.EndedAt);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _scaling.RollbackInstanceRefreshAsync(Api));
    }

    [Fact]
    public async Task EnableMetricsCollection_OnAGroupWithout_ListsTheMetrics_AndCloudWatchPointsFollow()
    {
        var worker = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "staging-worker");
        var before = (await _scaling.FindGroupAsync(worker))!;
        Assert.False(before.CollectsCapacityMetrics);
        Assert.Empty((await _scaling.CapacityAsync(worker, _clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow(), TimeSpan.FromMinutes(5))).Points);

        await _scaling.EnableMetricsCollectionAsync(worker, GroupMetrics.Enabled);
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.True((await _scaling.FindGroupAsync(worker))!.CollectsCapacityMetrics);
        var points = (await _scaling.CapacityAsync(worker, _clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow(), TimeSpan.FromMinutes(5))).Points;
        Assert.InRange(points.Count, 1, 2);
    }
    [Fact]
    public async Task Refresh_ToAVersion_LaunchesReplacementsOnIt_AndMovesTheGroupToItOnSuccess()
    {
        Assert.Equal("12", (await _scaling.FindGroupAsync(Api))!.LaunchTemplateVersion);
        await _scaling.StartInstanceRefreshAsync(Api, new InstanceRefreshRequest(50, 30) { LaunchTemplateVersion = "13" });

        var sawMixed = false;
        for (var n = 0; n < 180 && (await _scaling.InstanceRefreshesAsync(Api, 1))[0].IsRunning; n++)
        {
            var group = (await _scaling.FindGroupAsync(Api))!;
            sawMixed |= group.Instances.Any(i => i.LaunchTemplateVersion == "13") && group.Instances.Any(i => i.LaunchTemplateVersion == "12");
            _clock.Advance(TimeSpan.FromSeconds(5));
        }

        var after = (await _scaling.FindGroupAsync(Api))!;
        Assert.Equal(InstanceRefreshStatus.Successful, (await _scaling.InstanceRefreshesAsync(Api, 1))[0].Status);
        Assert.True(sawMixed, "old and new versions side by side while it ran");
        Assert.Equal("13", after.LaunchTemplateVersion);
        Assert.All(after.Instances, i => Assert.Equal("13", i.LaunchTemplateVersion));
    }
}
