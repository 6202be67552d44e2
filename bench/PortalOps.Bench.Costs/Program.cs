using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Costs;
using PortalOps.Jobs.Aws.Monitoring;

// 1. Recommendations: N running instances of a spread of types with 14 days of hourly utilization (idle, oversized, busy,
//    partly measured), through the rightsizing rules in process. Median of R runs after one warm-up.
// 2. GetMetricData calls for the same fleet's 14 days hourly (5 series an instance) through the CloudWatch adapter, against a
//    counting fake that refuses a call over 500 queries or 100,800 data points, as GetMetricData does.
// 3. Cost Explorer calls when the cost page and /cost ask the same questions 100 times within one cache period.
var count = Arg("--instances", 10_000);
var runs = Arg("--runs", 5);
var hours = 14 * 24;
string[] types = ["m5.xlarge", "c5.xlarge", "m6g.xlarge", "t3.medium", "r5.large", "m4.large", "c5.large", "t3.micro"];
var random = new Random(7);
var fleet = new List<Instance>(count);
var series = new Dictionary<InstanceRef, InstanceUtilization>(count);
for (var i = 0; i < count; i++)
{
    var region = i % 2 == 0 ? "us-east-1" : "eu-west-1";
    var r = new InstanceRef("123456789012", region, $"i-{i:x17}");
    fleet.Add(new Instance(r, $"app-{i:D5}", types[i % types.Length], InstanceState.Running, region + "a", "Linux/UNIX", DateTimeOffset.UnixEpoch,
        new Dictionary<string, string> { ["team"] = $"t{i % 7}" }, []));
    var u = new InstanceUtilization(r, hours);
    var profile = i % 4; // 0 idle, 1 oversized, 2 busy, 3 daily
    for (var h = 0; h < hours; h++)
    {
        if (i % 10 == 9 && h % 3 == 0)
        {
            continue; // partly measured
        }

        var daily = Math.Max(0, Math.Sin((h % 24 - 8) / 24.0 * 2 * Math.PI));
        var cpu = profile switch
        {
            0 => 1 + random.NextDouble(),
            1 => 4 + (8 * daily) + random.NextDouble(),
            2 => 55 + (30 * daily) + random.NextDouble(),
            _ => 10 + (35 * daily) + (random.NextDouble() * 5),
        };
        u.CpuAverage[h] = cpu;
        u.CpuMaximum[h] = Math.Min(100, cpu * 1.3);
        u.NetworkIn[h] = profile == 0 ? 1000 : 50_000_000 * (1 + daily);
        u.NetworkOut[h] = profile == 0 ? 1000 : 30_000_000 * (1 + daily);
    }

    series[r] = u;
}

var settings = new RightsizingSettings();
CostScanner.Evaluate(fleet, series, settings); // warm-up (JIT)
var wall = new List<double>();
var cpuTimes = new List<double>();
var found = new List<Recommendation>();
for (var run = 0; run < runs; run++)
{
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    found = CostScanner.Evaluate(fleet, series, settings);
    watch.Stop();
    wall.Add(watch.Elapsed.TotalMilliseconds);
    cpuTimes.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
}

var byKind = string.Join(", ", found.GroupBy(f => f.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
Console.WriteLine(F($"recommend: {count} instances x {hours} hours; {found.Count} recommendations ({byKind}), {found.Sum(f => f.MonthlySaving):N2} USD/month; wall median {Median(wall):F1} ms (max {wall.Max():F1}), CPU median {Median(cpuTimes):F1} ms over {runs} runs"));

// 2. GetMetricData calls.
var counting = new CountingCloudWatch();
var clients = new AwsClients(Options.Create(new AwsOptions
{
    ServiceUrl = "http://127.0.0.1:9/",
    Accounts = [new AwsAccountOptions { Id = "123456789012", Regions = ["us-east-1", "eu-west-1"] }],
}), new PortalOps.Jobs.Aws.Credentials.AwsCredentialsSource(Options.Create(new AwsOptions()), NullLoggerFactory.Instance));
var source = new CloudWatchUtilization(counting, clients, NullLogger<CloudWatchUtilization>.Instance);
var to = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
var refs = fleet.Select(f => f.Ref).ToList();
GC.Collect();
GC.WaitForPendingFinalizers();
var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
var fetch = await source.FetchAsync(refs, to.AddDays(-14), to);
var fetchCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
var firstCalls = counting.Calls;

// The same again, warm (JIT done, clients made): what each daily scan of a long-running process pays.
var warmCpu = new List<double>();
for (var i = 0; i < runs; i++)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    await source.FetchAsync(refs, to.AddDays(-14), to);
    warmCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds);
}

counting.Reset(firstCalls);
var seriesCount = count * 5;
Console.WriteLine(F($"metrics: {seriesCount} series x {hours} points; GetMetricData calls {counting.Calls} (minimum {MetricDataLimits.MinimumCalls(count / 2 * 5, hours) * 2} for two regions; 500 queries a call would need {2 * (int)Math.Ceiling(count / 2 * 5 / 500.0) * (int)Math.Ceiling(500.0 * hours / MetricDataLimits.MaxDataPointsPerCall)} calls with paging); largest call {counting.MaxQueries} queries, {counting.MaxPoints} points; client CPU {fetchCpu:F0} ms cold, {Median(warmCpu):F0} ms warm median of {runs}; errors {fetch.Errors.Count}"));

// 3. Cost Explorer calls within one cache period.
var ce = new CountingCostExplorer();
var spend = new AwsSpendSource(ce, Options.Create(new AwsOptions { CostCacheMinutes = 240 }), TimeProvider.System);
var overview = new CostOverview(spend, TimeProvider.System);
for (var i = 0; i < 100; i++)
{
    await overview.SummaryAsync(["123456789012"]);
    await overview.SpendAsync(new SpendQuery(overview.Today.AddDays(-30), overview.Today.AddDays(1), SpendGranularity.Daily, SpendDimension.Service, []), ["123456789012"]);
}

Console.WriteLine(F($"cost explorer: 100 x (summary + 30-day spend) = 3 distinct questions; calls {ce.Calls}"));

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}

/// <summary>Counts GetMetricData calls and refuses one over GetMetricData's limits, as AWS does.</summary>
internal sealed class CountingCloudWatch : ICloudWatchApi
{
    private int _calls;

    public int Calls => _calls;

    /// <summary>Puts the call count back to a first pass's (the warm passes repeat the same calls).</summary>
    public void Reset(int calls) => _calls = calls;

    public int MaxQueries { get; private set; }

    public long MaxPoints { get; private set; }

    public Task<IReadOnlyList<MetricSeries>> GetMetricDataAsync(CloudScope scope, IReadOnlyList<MetricQuery> queries, DateTimeOffset start, DateTimeOffset end, CancellationToken ct = default)
    {
        var points = queries.Count * (long)((end - start).TotalSeconds / queries[0].Period);
        if (queries.Count > MetricDataLimits.MaxQueriesPerCall || points > MetricDataLimits.MaxDataPointsPerCall)
        {
            throw new InvalidOperationException($"ValidationError: {queries.Count} queries, {points} data points in one call.");
        }

        lock (this)
        {
            _calls++;
            MaxQueries = Math.Max(MaxQueries, queries.Count);
            MaxPoints = Math.Max(MaxPoints, points);
        }

        return Task.FromResult<IReadOnlyList<MetricSeries>>([]);
    }

    public Task<IReadOnlyList<Metric>> ListMetricsAsync(CloudScope scope, string? ns = null, string? metricName = null, IReadOnlyList<MetricDimension>? dimensions = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<string?> PutMetricAlarmAsync(CloudScope scope, MetricAlarmSpec spec, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(CloudScope scope, IReadOnlyList<string>? names = null, string? namePrefix = null, string? stateValue = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<string?> DeleteAlarmsAsync(CloudScope scope, IReadOnlyList<string> names, CancellationToken ct = default) => throw new NotSupportedException();
}

/// <summary>Counts Cost Explorer calls and answers with empty results.</summary>
internal sealed class CountingCostExplorer : ICostExplorerApi
{
    public int Calls { get; private set; }

    public Task<IReadOnlyList<CostPeriod>> GetCostAndUsageAsync(string accountId, DateOnly start, DateOnly end, string granularity, IReadOnlyList<string> metrics, IReadOnlyList<(string Type, string Key)>? groupBy = null, CancellationToken ct = default)
    {
        Calls++;
        return Task.FromResult<IReadOnlyList<CostPeriod>>([]);
    }

    public Task<CostForecast> GetCostForecastAsync(string accountId, DateOnly start, DateOnly end, string metric = "UNBLENDED_COST", string granularity = "MONTHLY", CancellationToken ct = default)
    {
        Calls++;
        return Task.FromResult(new CostForecast(new CostAmount(0, "USD"), []));
    }

    public Task<IReadOnlyList<RightsizingRecommendation>> GetRightsizingRecommendationsAsync(string accountId, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<ReservationRecommendation>> GetReservationPurchaseRecommendationsAsync(string accountId, string service = "Amazon Elastic Compute Cloud - Compute", string term = "ONE_YEAR", string paymentOption = "NO_UPFRONT", string lookback = "THIRTY_DAYS", CancellationToken ct = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<SavingsPlansRecommendation>> GetSavingsPlansPurchaseRecommendationsAsync(string accountId, string type = "COMPUTE_SP", string term = "ONE_YEAR", string paymentOption = "NO_UPFRONT", string lookback = "THIRTY_DAYS", CancellationToken ct = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<string>> ListActiveCostAllocationTagsAsync(string accountId, CancellationToken ct = default)
    {
        Calls++;
        return Task.FromResult<IReadOnlyList<string>>([]);
    }
}
