using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Scaling;

/// <summary>
/// A group's capacity from CloudWatch on moto: another client puts GroupDesiredCapacity and GroupInServiceInstances points
/// (namespace AWS/AutoScaling, dimension AutoScalingGroupName), the portal reads both back with one GetMetricData call of two
/// queries, averaged per five minutes; a group without metrics collection reads as no points, which the chart turns into the
/// stored history and its notice.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class GroupMetricsMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly TimeSpan Five = TimeSpan.FromMinutes(5);
    private static readonly GroupRef Web = new(MotoServer.AccountId, "us-east-1", "web");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Capacity_PointsPutByAnotherClient_AreReadBackInOneCallOfTwoQueries_AveragedPerPeriod()
    {
        var now = DateTimeOffset.UtcNow;
        var from = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % Five.Ticks), TimeSpan.Zero).AddHours(-1);
        // One point a minute for an hour: desired 2 then 4 from the half hour; in service one short at every fifth minute after it.
        await PutAsync("web", Enumerable.Range(0, 60).Select(i => (from.AddMinutes(i), i < 30 ? 2.0 : 4.0, i < 30 ? 2.0 : i % 5 == 0 ? 3.0 : 4.0)));
        await PutAsync("batch", Enumerable.Range(0, 60).Select(i => (from.AddMinutes(i), 9.0, 9.0)));
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        var metrics = services.GetRequiredService<IGroupCapacityMetrics>();

        var fetch = await metrics.CapacityAsync(Web, from, from.AddHours(1), Five);

        Assert.Null(fetch.Error);
        Assert.Equal(1, proxy.CallsTo("GetMetricData"));
        var body = WebUtility.UrlDecode(Assert.Single(proxy.RecordedCalls, c => c.Body.Contains("Action=GetMetricData", StringComparison.Ordinal)).Body);
        Assert.Contains("MetricDataQueries.member.2.MetricStat.Metric.MetricName=GroupInServiceInstances", body, StringComparison.Ordinal);
        Assert.DoesNotContain("MetricDataQueries.member.3", body, StringComparison.Ordinal);
        Assert.Contains("MetricStat.Metric.Namespace=AWS/AutoScaling", body, StringComparison.Ordinal);
        Assert.Contains("MetricStat.Period=300", body, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 12).Select(n => from.AddMinutes(5 * n)), fetch.Points.Select(p => p.At));
        Assert.All(fetch.Points, p => Assert.Equal(CapacitySource.CloudWatch, p.Source));
        Assert.Equal([2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4], fetch.Points.Select(p => p.Desired!.Value));
        Assert.Equal([2, 2, 2, 2, 2, 2, 3.8, 3.8, 3.8, 3.8, 3.8, 3.8], fetch.Points.Select(p => Math.Round(p.InService!.Value, 6)));

        // Joined with a stored history of the day before: CloudWatch for its hour, the history for the rest.
        var history = Enumerable.Range(1, 24).Select(n => new CapacitySample(Web, from.AddHours(1).AddMinutes(-5 * n), 1, 1, 6, 1, 0, 0)).ToList();
        var chart = CapacityChart.Merge(history, fetch);
        Assert.Null(chart.Notice);
        Assert.Equal(12, chart.Points.Count(p => p.Source == CapacitySource.History));
        Assert.All(chart.Points.Where(p => p.Source == CapacitySource.History), p => Assert.True(p.At < from));
    }

    [Fact]
    public async Task Capacity_ReadAgainWithinAMinute_CostsNoCall_AfterItAsksCloudWatchAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var from = clock.GetUtcNow().AddHours(-1);
        await PutAsync("web", Enumerable.Range(1, 10).Select(i => (clock.GetUtcNow().AddMinutes(-i), 2.0, 2.0)));
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url, clock, null);
        var metrics = services.GetRequiredService<IGroupCapacityMetrics>();

        var first = await metrics.CapacityAsync(Web, from, clock.GetUtcNow(), Five);
        clock.Advance(TimeSpan.FromSeconds(50));
        var again = await metrics.CapacityAsync(Web, from, clock.GetUtcNow(), Five);
        Assert.Equal(1, proxy.CallsTo("GetMetricData"));
        clock.Advance(TimeSpan.FromSeconds(15));
        var later = await metrics.CapacityAsync(Web, from, clock.GetUtcNow(), Five);

        Assert.Equal(2, proxy.CallsTo("GetMetricData"));
        Assert.Equal((1, 0, 1), (first.Calls, again.Calls, later.Calls));
        Assert.NotEmpty(first.Points);
        Assert.Equal(first.Points, again.Points);
    }

    [Fact]
    public async Task Capacity_GroupWithoutMetricsCollection_HasNoPoints_AndTheChartSaysSo()
    {
        var now = DateTimeOffset.UtcNow;
        await PutAsync("batch", Enumerable.Range(1, 10).Select(i => (now.AddMinutes(-i), 3.0, 3.0)));
        await using var services = MotoAws.Provider(moto.Url);

        var fetch = await services.GetRequiredService<IGroupCapacityMetrics>().CapacityAsync(Web, now.AddHours(-24), now, Five);

        Assert.Null(fetch.Error);
        Assert.Empty(fetch.Points);
        var chart = CapacityChart.Merge([new CapacitySample(Web, now.AddMinutes(-5), 1, 2, 4, 2, 0, 0)], fetch);
        Assert.Equal(CapacityChart.NotEnabledNotice, chart.Notice);
        Assert.Equal(CapacitySource.History, Assert.Single(chart.Points).Source);
    }

    [Fact]
    public async Task Capacity_EndpointDown_IsReturnedAsAnErrorNamingTheCall_AndABadPeriodIsRefused()
    {
        var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var url = proxy.Url;
        await proxy.DisposeAsync();
        await using var services = MotoAws.Provider(url, new Dictionary<string, string?> { ["Aws:MaxAttempts"] = "1", ["Aws:RequestTimeoutSeconds"] = "5" });
        var metrics = services.GetRequiredService<IGroupCapacityMetrics>();
        var now = DateTimeOffset.UtcNow;

        var fetch = await metrics.CapacityAsync(Web, now.AddHours(-1), now, Five);

        Assert.Empty(fetch.Points);
        Assert.Contains("GetMetricData", fetch.Error, StringComparison.Ordinal);
        Assert.Contains("us-east-1", fetch.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => metrics.CapacityAsync(Web, now.AddHours(-1), now, TimeSpan.FromSeconds(90)));
        await Assert.ThrowsAsync<ArgumentException>(() => metrics.CapacityAsync(Web, now, now.AddHours(-1), Five));
    }

    // "Another client": writes the group metrics as AWS would publish them.
    private async Task PutAsync(string group, IEnumerable<(DateTimeOffset At, double Desired, double InService)> points)
    {
        var clients = TestAws.Clients(TestAws.Options(moto.Url));
        var core = new AwsProtocolClient(new HttpClient(), new AwsRetryPolicy(1));
        var endpoint = clients.Endpoint(MotoServer.AccountId, "us-east-1", AwsServiceDescriptor.CloudWatch);
        var data = points.SelectMany(p => new[] { (p.At, Name: CloudWatchGroupMetrics.DesiredMetric, Value: p.Desired), (p.At, Name: CloudWatchGroupMetrics.InServiceMetric, Value: p.InService) }).ToList();
        foreach (var batch in data.Chunk(500))
        {
            var p = new QueryParameters().Add("Namespace", CloudWatchGroupMetrics.Namespace).List("MetricData", batch, (d, x) => d
                .Add("MetricName", x.Name).Add("Value", x.Value).Add("Timestamp", x.At).Add("Unit", "None")
                .List("Dimensions", [group], (dim, g) => dim.Add("Name", CloudWatchGroupMetrics.Dimension).Add("Value", g)));
            await core.QueryAsync(endpoint, "PutMetricData", p, CancellationToken.None);
        }
    }
}
