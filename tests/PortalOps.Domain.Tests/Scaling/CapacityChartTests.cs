using PortalOps.Domain.Common;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Actions;

namespace PortalOps.Domain.Tests.Scaling;

public sealed class CapacityChartTests
{
    private static readonly GroupRef Web = new(Make.ProdAccount, "eu-west-1", "web");
    private static readonly GroupRef DevBatch = new(Make.DevAccount, "us-east-1", "batch");
    private static readonly TimeSpan Five = TimeSpan.FromMinutes(5);

    [Fact]
    public void Merge_CloudWatchCoversTheLastSixHours_ItsPointsWinThereAndTheHistoryFillsTheRest()
    {
        var history = Samples(Make.Now.AddHours(-24), Make.Now, Five, desired: 2, inService: 2);
        // CloudWatch from six hours ago, with one period missing at 07:00 (no data for it).
        var gap = Make.Now.AddHours(-2);
        var cloudWatch = Points(Make.Now.AddHours(-6), Make.Now, Five, desired: 3, inService: 2.5).Where(p => p.At != gap).ToList();

        var chart = CapacityChart.Merge(history, new GroupMetricsFetch(cloudWatch, Five, 1));

        Assert.Null(chart.Notice);
        Assert.Equal(cloudWatch, chart.Points.Where(p => p.Source == CapacitySource.CloudWatch));
        var stored = chart.Points.Where(p => p.Source == CapacitySource.History).Select(p => p.At).ToList();
        Assert.Equal(history.Where(s => s.At < Make.Now.AddHours(-6)).Select(s => s.At).Append(gap), stored);
        Assert.Equal(chart.Points.OrderBy(p => p.At).Select(p => p.At), chart.Points.Select(p => p.At));
        Assert.Equal(288, chart.Points.Count);
        Assert.Contains("CloudWatch group metrics from 2026-03-02 03:00 UTC", chart.SourceText, StringComparison.Ordinal);
        Assert.Contains("stored history where CloudWatch has no data", chart.SourceText, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_StoredSampleInsideACloudWatchPeriod_IsCovered_OneJustAfterTheLastPeriodIsNot()
    {
        var at = Make.Now.AddMinutes(-10);
        IReadOnlyList<CapacitySample> history =
        [
            new(Web, at.AddMinutes(4), 1, 4, 6, 4, 0, 0),
            new(Web, at.AddMinutes(5), 1, 5, 6, 5, 0, 0),
        ];

        var chart = CapacityChart.Merge(history, new GroupMetricsFetch([new CapacityPoint(at, 4, 3, CapacitySource.CloudWatch)], Five, 1));

        Assert.Equal([(at, CapacitySource.CloudWatch), (at.AddMinutes(5), CapacitySource.History)], chart.Points.Select(p => (p.At, p.Source)));
    }

    [Fact]
    public void Merge_CloudWatchHasNoPoints_ShowsTheHistoryAndSaysTheMetricsAreNotEnabled()
    {
        var history = Samples(Make.Now.AddHours(-1), Make.Now, Five, desired: 2, inService: 1);

        var chart = CapacityChart.Merge(history, new GroupMetricsFetch([], Five, 1));

        Assert.Equal(CapacityChart.NotEnabledNotice, chart.Notice);
        Assert.Contains("not enabled for this group", chart.Notice, StringComparison.Ordinal);
        Assert.All(chart.Points, p => Assert.Equal(CapacitySource.History, p.Source));
        Assert.Equal(12, chart.Points.Count);
        Assert.Equal("Source: the portal's stored history.", chart.SourceText);
    }

    [Fact]
    public void Merge_CloudWatchReadFailed_ShowsTheHistoryAndTheFailure()
    {
        var history = Samples(Make.Now.AddHours(-1), Make.Now, Five, desired: 2, inService: 2);

        var chart = CapacityChart.Merge(history, GroupMetricsFetch.Failed(Five, 1, "Access denied in account 1, region eu-west-1 (GetMetricData)"));

        Assert.Contains("could not be read (Access denied", chart.Notice, StringComparison.Ordinal);
        Assert.Equal(12, chart.Points.Count);
        Assert.False(chart.HasCloudWatch);
    }

    [Fact]
    public void Merge_OnlyCloudWatch_SaysSo_AndPointsWithNeitherValueAreDropped()
    {
        var points = Points(Make.Now.AddHours(-1), Make.Now, Five, desired: 3, inService: 3).Append(new CapacityPoint(Make.Now, null, null, CapacitySource.CloudWatch)).ToList();

        var chart = CapacityChart.Merge([], new GroupMetricsFetch(points, Five, 1));

        Assert.Equal(12, chart.Points.Count);
        Assert.Equal("Source: CloudWatch group metrics (GroupDesiredCapacity, GroupInServiceInstances).", chart.SourceText);
        Assert.Null(chart.Notice);
    }

    [Theory]
    [InlineData(24 * 60, 5)]
    [InlineData(60, 1)]
    [InlineData(7 * 24 * 60, 35)]
    public void PeriodFor_StaysWithinTheChartsPoints_InWholeMinutes(int windowMinutes, int periodMinutes)
    {
        var period = CapacityChart.PeriodFor(TimeSpan.FromMinutes(windowMinutes));

        Assert.Equal(TimeSpan.FromMinutes(periodMinutes), period);
        Assert.True(windowMinutes / period.TotalMinutes <= CapacityChart.MaxPoints);
        Assert.Throws<ArgumentOutOfRangeException>(() => CapacityChart.PeriodFor(TimeSpan.Zero));
    }

    [Fact]
    public async Task Detail_AsksCloudWatchOnceForTheDayAtFiveMinutes_AndMergesWithTheHistory()
    {
        var harness = new PipelineHarness(executors: []);
        harness.Clock.SetUtcNow(Make.Now.AddMinutes(2));
        var history = new InMemoryCapacityHistory();
        await history.RecordAsync(Samples(Make.Now.AddHours(-23), Make.Now, Five, desired: 2, inService: 2));
        var metrics = new FakeGroupMetrics { Points = Points(Make.Now.AddHours(-1), Make.Now, Five, desired: 3, inService: 3) };
        var operations = new ScalingOperations(Scaling(), history, harness.Pipeline, new ScalingApprovalGuard(10), harness.Clock, metrics);

        var detail = await operations.DetailAsync(harness.Operator.AsActor(Channel.Web), Web);

        var call = Assert.Single(metrics.Calls);
        Assert.Equal((Web, Make.Now.AddHours(-24), Make.Now.AddMinutes(2), Five), call);
        Assert.Equal(12, detail!.Capacity.Points.Count(p => p.Source == CapacitySource.CloudWatch));
        Assert.Equal((23 * 12) - 12, detail.Capacity.Points.Count(p => p.Source == CapacitySource.History));
        Assert.Null(detail.Capacity.Notice);
    }

    [Fact]
    public async Task Detail_GroupOutsideTheScope_AsksCloudWatchNothing()
    {
        var harness = new PipelineHarness(executors: []);
        var metrics = new FakeGroupMetrics();
        var operations = new ScalingOperations(Scaling(), new InMemoryCapacityHistory(), harness.Pipeline, new ScalingApprovalGuard(10), harness.Clock, metrics);

        var detail = await operations.DetailAsync(harness.Operator.AsActor(Channel.Web), DevBatch);

        Assert.Null(detail);
        Assert.Empty(metrics.Calls);
    }

    [Fact]
    public async Task Detail_WithoutAMetricsReader_ChartsTheHistoryWithoutANotice()
    {
        var harness = new PipelineHarness(executors: []);
        var history = new InMemoryCapacityHistory();
        await history.RecordAsync(Samples(Make.Now.AddHours(-1), Make.Now, Five, desired: 2, inService: 2));
        var operations = new ScalingOperations(Scaling(), history, harness.Pipeline, new ScalingApprovalGuard(10), harness.Clock);

        var detail = await operations.DetailAsync(harness.Operator.AsActor(Channel.Web), Web);

        Assert.Equal(12, detail!.Capacity.Points.Count);
        Assert.Null(detail.Capacity.Notice);
    }

    private static FakeScaling Scaling() => new FakeScaling()
        .Add(FakeScaling.Group("web", min: 1, desired: 2, max: 4))
        .Add(FakeScaling.Group("batch", Make.DevAccount, "us-east-1", 0, 1, 3, "env=dev"));

    private static List<CapacitySample> Samples(DateTimeOffset from, DateTimeOffset to, TimeSpan step, int desired, int inService)
    {
        var samples = new List<CapacitySample>();
        for (var at = from; at < to; at += step)
        {
            samples.Add(new CapacitySample(Web, at, 1, desired, 4, inService, desired - inService, 0));
        }

        return samples;
    }

    private static List<CapacityPoint> Points(DateTimeOffset from, DateTimeOffset to, TimeSpan step, double desired, double inService)
    {
        var points = new List<CapacityPoint>();
        for (var at = from; at < to; at += step)
        {
            points.Add(new CapacityPoint(at, desired, inService, CapacitySource.CloudWatch));
        }

        return points;
    }

    private sealed class FakeGroupMetrics : IGroupCapacityMetrics
    {
        public List<CapacityPoint> Points { get; init; } = [];

        public List<(GroupRef Group, DateTimeOffset From, DateTimeOffset To, TimeSpan Period)> Calls { get; } = [];

        public Task<GroupMetricsFetch> CapacityAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
        {
            Calls.Add((group, from, to, period));
            return Task.FromResult(new GroupMetricsFetch(Points, period, 1));
        }
    }
}
