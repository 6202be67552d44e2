using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Sandbox;

public sealed class SandboxScalingTests
{
    // A Wednesday at 03:00 UTC: the load is low; by 15:00 it is at its daily peak.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
    private readonly SandboxScaling _scaling;

    public SandboxScalingTests() => _scaling = new SandboxScaling(Options.Create(new SandboxOptions { PendingSeconds = 4, ShuttingDownSeconds = 5 }), _clock);

    [Fact]
    public async Task Groups_OnFirstStart_AreThereWithInstancesInService()
    {
        var listing = await _scaling.ListGroupsAsync();

        Assert.Equal(5, listing.Groups.Count);
        Assert.All(listing.Groups, g => Assert.Equal(g.DesiredCapacity, g.InService));
        Assert.Contains(listing.Groups, g => g.TargetGroupArns.Count > 0);
    }

    [Fact]
    public async Task TargetTrackingGroup_FollowsTheSimulatedLoad()
    {
        var web = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "prod-web");
        var night = (await _scaling.FindGroupAsync(web))!.DesiredCapacity;

        _clock.Advance(TimeSpan.FromHours(12));
        var peak = (await _scaling.FindGroupAsync(web))!;
        _clock.Advance(TimeSpan.FromSeconds(5));
        var settled = (await _scaling.FindGroupAsync(web))!;

        Assert.True(peak.DesiredCapacity > night, $"desired {night} at night, {peak.DesiredCapacity} at the peak");
        Assert.Equal(peak.DesiredCapacity - night, peak.Pending);
        Assert.Equal(peak.DesiredCapacity, settled.InService);
    }

    [Fact]
    public async Task SetCapacity_LaunchesPendingInstancesThatJoinAfterTheirDelay_AndRecordsActivities()
    {
        var worker = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "staging-worker");
        var requestId = await _scaling.SetCapacityAsync(worker, new CapacityChange(0, 3, 4));

        var right = (await _scaling.FindGroupAsync(worker))!;
        _clock.Advance(TimeSpan.FromSeconds(4));
        var later = (await _scaling.FindGroupAsync(worker))!;
        var activities = await _scaling.ActivitiesAsync(worker, 10);

        Assert.StartsWith("sandbox-", requestId, StringComparison.Ordinal);
        Assert.Equal((3, 2), (right.DesiredCapacity, right.Pending));
        Assert.Equal(3, later.InService);
        Assert.Equal(3, activities.Count(a => a.IsLaunch && a.Status == ActivityStatus.Successful));
    }

    [Fact]
    public async Task FlakyGroup_FailsToLaunchDuringItsWindow_WithAwsMessage()
    {
        var batch = new GroupRef(SandboxFleet.AccountId, "us-east-1", SandboxScaling.FlakyGroup);
        _clock.Advance(TimeSpan.FromMinutes(21)); // 03:21, inside the failing window
        var before = (await _scaling.FindGroupAsync(batch))!;
        await _scaling.SetCapacityAsync(batch, new CapacityChange(before.MinSize, before.DesiredCapacity + 1, before.MaxSize));

        var activities = await _scaling.ActivitiesAsync(batch, 10);

        var failed = Assert.Single(activities, a => a.IsFailedLaunch);
        Assert.Contains("InsufficientInstanceCapacity", failed.StatusMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuspendedLaunch_KeepsTheGroupShort_UntilResumed()
    {
        var api = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "prod-api");
        await _scaling.SuspendProcessesAsync(api, ["Launch"]);
        await _scaling.SetCapacityAsync(api, new CapacityChange(2, 4, 8));
        var suspended = (await _scaling.FindGroupAsync(api))!;
        await _scaling.ResumeProcessesAsync(api, ["Launch"]);
        var resumed = (await _scaling.FindGroupAsync(api))!;

        Assert.Equal((2, 0), (suspended.InService, suspended.Pending));
        Assert.Equal(["Launch"], suspended.SuspendedProcesses);
        Assert.Equal(2, resumed.Pending);
    }

    [Fact]
    public void Backfill_GivesOneSamplePerGroupAndStep()
    {
        var to = _clock.GetUtcNow();

        var samples = _scaling.Backfill(to.AddHours(-1), to, TimeSpan.FromMinutes(5));

        Assert.Equal(5 * 12, samples.Count);
        Assert.All(samples, s => Assert.InRange(s.DesiredCapacity, s.MinSize, s.MaxSize));
    }

    [Fact]
    public async Task GroupMetrics_OnFirstStart_ChartTheDay_JoinTheHistoryOnProdApi_AndAreNotEnabledOnStagingWorker()
    {
        var now = _clock.GetUtcNow();
        var five = TimeSpan.FromMinutes(5);
        var web = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "prod-web");
        var api = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "prod-api");
        var worker = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "staging-worker");
        var backfill = _scaling.Backfill(now.AddDays(-1), now, five);

        var webFetch = await _scaling.CapacityAsync(web, now.AddDays(-1), now, five);
        var apiFetch = await _scaling.CapacityAsync(api, now.AddDays(-1), now, five);
        var workerFetch = await _scaling.CapacityAsync(worker, now.AddDays(-1), now, five);

        Assert.Equal(288, webFetch.Points.Count);
        Assert.Equal(
            backfill.Where(s => s.Group == web).Select(s => (s.At, (double)s.DesiredCapacity, (double)s.InService)),
            webFetch.Points.Select(p => (p.At, p.Desired!.Value, p.InService!.Value)));
        Assert.Equal(72, apiFetch.Points.Count);
        Assert.Equal(now.AddHours(-6), apiFetch.Points[0].At);
        Assert.Empty(workerFetch.Points);

        var apiChart = CapacityChart.Merge(backfill.Where(s => s.Group == api).ToList(), apiFetch);
        Assert.True(apiChart.HasCloudWatch && apiChart.HasHistory);
        Assert.Equal(CapacityChart.NotEnabledNotice, CapacityChart.Merge(backfill.Where(s => s.Group == worker).ToList(), workerFetch).Notice);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _scaling.CapacityAsync(web, now.AddHours(-1), now, TimeSpan.FromSeconds(30)));
    }
}
