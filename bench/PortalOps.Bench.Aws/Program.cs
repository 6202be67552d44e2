using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Monitoring;
using Metric = PortalOps.Jobs.Aws.Monitoring.Metric;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Tests.Aws.Support;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Aws [-- --instances 10000 --latency-ms 200 --series 1234]
//        dotnet run -c Release --project bench/PortalOps.Bench.Aws -- --inventory-cpu [--instances 10000 --moto-runs 2 --runs 10]
if (args.Contains("--serve"))
{
    await PortalOps.Bench.Aws.InventoryCpu.ServeAsync(args[Array.IndexOf(args, "--serve") + 1]);
    return;
}

if (args.Contains("--inventory-cpu"))
{
    await PortalOps.Bench.Aws.InventoryCpu.RunAsync(args);
    return;
}

var instances = Arg("--instances", 10_000);
var latencyMs = Arg("--latency-ms", 200);
var series = Arg("--series", 1_234);
string[] regions = new[] { "us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1" }[..Math.Clamp(Arg("--regions", 4), 1, 4)];
const string account = "123456789012";
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

using var moto = await Moto.StartAsync();
Console.WriteLine($"moto on {moto.Url}; seeding {instances} instances over {regions.Length} regions, one per RunInstances call …");
var seedWatch = Stopwatch.StartNew();
var perRegion = new Dictionary<string, int>();
await Parallel.ForEachAsync(regions, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (region, ct) =>
{
    var n = instances / regions.Length + (Array.IndexOf(regions, region) < instances % regions.Length ? 1 : 0);
    lock (perRegion)
    {
        perRegion[region] = n;
    }

    using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = moto.Url.ToString(), AuthenticationRegion = region, MaxErrorRetry = 5 });
    var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] }, ct)).Images[0].ImageId;
    var done = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (i, ct2) =>
    {
        await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", $"{region}-{i:D5}"), new Tag("team", i % 2 == 0 ? "web" : "data")] }],
        }, ct2);
        Interlocked.Increment(ref done);
    });
});
Console.WriteLine($"seeded in {seedWatch.Elapsed.TotalSeconds:0} s");

var minimum = perRegion.Values.Sum(n => (int)Math.Ceiling(n / 1000.0));
var rows = new List<string>();

// 1. Calls per refresh, through a counting proxy that also records moto's answers for step 3.
await using var recorder = await LoopbackProxy.StartAsync(moto.Url);
{
    await using var sp = Provider(recorder.Url, regions, parallelism: 8);
    var status = sp.GetRequiredService<IInventoryStatus>();
    var wall = Stopwatch.StartNew();
    var result = await status.RefreshAsync();
    wall.Stop();
    var calls = recorder.CallsTo("DescribeInstances");
    var total = result.Regions.Sum(r => r.InstanceCount);
    rows.Add($"| Inventory of {total:N0} instances, {regions.Length} regions | DescribeInstances calls per refresh | {calls} | minimum {minimum} (Σ ceil(n/1000)) |");
    rows.Add($"| same refresh | wall time against moto (moto's own time dominates) | {wall.Elapsed.TotalSeconds:0.0} s | — |");
    Console.WriteLine(rows[^2]);
    Console.WriteLine(rows[^1]);
    foreach (var e in recorder.UpstreamErrors.Take(5))
    {
        Console.WriteLine("upstream error: " + e);
    }

    if (!result.Healthy)
    {
        Console.WriteLine("refresh reported errors: " + string.Join("; ", result.Regions.Select(r => r.Error)));
    }
}

// 2. Client CPU to take in the fleet: answers replayed from memory (moto's time excluded), proxy latency zero.
recorder.Replay = true;
{
    await using var sp = Provider(recorder.Url, regions, parallelism: 8);
    var status = sp.GetRequiredService<IInventoryStatus>();
    await status.RefreshAsync(); // warm-up: JIT, connections
    var best = TimeSpan.MaxValue;
    var bestWall = TimeSpan.MaxValue;
    for (var i = 0; i < 5; i++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await status.RefreshAsync();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        best = used < best ? used : best;
        bestWall = wall.Elapsed < bestWall ? wall.Elapsed : bestWall;
    }

    // The same answers fetched as raw bytes through the same proxy: the share of the proxy and plain HTTP.
    var describe = recorder.RecordedCalls.Where(c => c.Body.Contains("Action=DescribeInstances", StringComparison.Ordinal)).ToList();
    using var raw = new HttpClient();
    var rawBest = TimeSpan.MaxValue;
    long bytes = 0;
    for (var i = 0; i < 5; i++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        bytes = 0;
        await Parallel.ForEachAsync(describe, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, recorder.Url) { Content = new StringContent(c.Body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
            request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=testing/20240101/{c.Region}/ec2/aws4_request, SignedHeaders=host, Signature=0");
            using var response = await raw.SendAsync(request, ct);
            Interlocked.Add(ref bytes, (await response.Content.ReadAsByteArrayAsync(ct)).LongLength);
        });
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        rawBest = used < rawBest ? used : rawBest;
    }

    rows.Add($"| Refresh of the same fleet, answers replayed from memory, best of 5 | process CPU, client + in-process replay proxy | {best.TotalSeconds:0.00} s | — |");
    rows.Add($"| same | wall time | {bestWall.TotalSeconds:0.00} s | — |");
    rows.Add($"| same {describe.Count} answers ({bytes / 1e6:0.0} MB) fetched as raw bytes through the proxy, best of 5 | process CPU, proxy + plain HTTP | {rawBest.TotalSeconds:0.00} s | — |");
    rows.Add($"| difference (a lower bound: the proxy shares the process, so this is not what the portal pays; see --inventory-cpu) | client CPU to parse and take in the fleet | ≥ {(best - rawBest).TotalSeconds:0.00} s | — |");
    Console.WriteLine(rows[^1]);
}

// 3. Fan-out: a fixed latency per call shows regions are fetched in parallel.
recorder.Latency = TimeSpan.FromMilliseconds(latencyMs);
foreach (var (label, regionSet, parallelism) in new[]
{
    ("1 region", regions[..1], 8),
    ($"{regions.Length} regions, parallel", regions, 8),
    ($"{regions.Length} regions, one at a time (MaxParallelism=1)", regions, 1),
})
{
    await using var sp = Provider(recorder.Url, regionSet, parallelism);
    var status = sp.GetRequiredService<IInventoryStatus>();
    var wall = Stopwatch.StartNew();
    await status.RefreshAsync();
    wall.Stop();
    var slowest = regionSet.Max(r => (int)Math.Ceiling(perRegion[r] / 1000.0));
    var sum = regionSet.Sum(r => (int)Math.Ceiling(perRegion[r] / 1000.0));
    rows.Add($"| Inventory with +{latencyMs} ms per call, {label} | wall time | {wall.Elapsed.TotalSeconds:0.00} s | {(parallelism == 1 ? $"sum of pages × latency = {sum * latencyMs / 1000.0:0.0} s" : $"slowest region's pages × latency = {slowest * latencyMs / 1000.0:0.0} s")} |");
    Console.WriteLine(rows[^1]);
}

recorder.Latency = TimeSpan.Zero;

// 3. GetMetricData batching.
{
    await using var sp = Provider(moto.Url, regions[..1], 8);
    var cw = sp.GetRequiredService<ICloudWatchApi>();
    var core = sp.GetRequiredService<AwsProtocolClient>();
    var queries = Enumerable.Range(0, series).Select(i => new MetricQuery($"q{i}", new Metric("AWS/EC2", "CPUUtilization", [new MetricDimension("InstanceId", $"i-{i:x17}")]), "Average", 300)).ToList();
    var before = core.Calls;
    var now = DateTimeOffset.UtcNow;
    var result = await cw.GetMetricDataAsync(new CloudScope(account, regions[0]), queries, now.AddHours(-3), now);
    rows.Add($"| GetMetricData for {series:N0} series | calls | {core.Calls - before} | ceil({series}/500) = {(int)Math.Ceiling(series / 500.0)}, budget ≤ 1.05× |");
    if (result.Count != series)
    {
        Console.WriteLine($"expected {series} series, got {result.Count}");
    }
}

Console.WriteLine();
Console.WriteLine("| what | measure | result | budget / floor |");
Console.WriteLine("|---|---|---|---|");
rows.ForEach(Console.WriteLine);
return;

ServiceProvider Provider(Uri url, string[] rs, int parallelism)
{
    var settings = new Dictionary<string, string?>
    {
        ["Aws:ServiceUrl"] = url.ToString(),
        ["Aws:Accounts:0:Id"] = account,
        ["Aws:MaxParallelism"] = parallelism.ToString(CultureInfo.InvariantCulture),
        ["Aws:RequestTimeoutSeconds"] = "120",
    };
    for (var i = 0; i < rs.Length; i++)
    {
        settings[$"Aws:Accounts:0:Regions:{i}"] = rs[i];
    }

    var services = new ServiceCollection();
    services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
    services.AddAwsProvider(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    return services.BuildServiceProvider();
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>moto on a free loopback port, stopped on dispose.</summary>
internal sealed class Moto : IDisposable
{
    private readonly Process process;

    private Moto(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<Moto> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var process = Process.Start(new ProcessStartInfo("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("python3 -m moto.server did not start: pip install 'moto[server]==5.2.1'");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var r = await http.GetAsync(new Uri(url, "moto-api/data.json"));
                if (r.IsSuccessStatusCode)
                {
                    return new Moto(process, url);
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("moto did not answer: pip install 'moto[server]==5.2.1'");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
