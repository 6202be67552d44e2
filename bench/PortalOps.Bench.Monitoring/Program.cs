using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Protocol;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Monitoring [-- --instances 5000 --rules 10]
var instances = Arg("--instances", 5_000);
var ruleCount = Arg("--rules", 10);
const string account = "123456789012";
const string region = "us-east-1";
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
var rows = new List<string>();
var metrics = new[] { MetricKind.Cpu, MetricKind.NetworkIn, MetricKind.NetworkOut, MetricKind.StatusCheck };
var refs = Enumerable.Range(0, instances).Select(i => new InstanceRef(account, region, $"i-{i:x17}")).ToList();
var series = refs.SelectMany(r => metrics.Select(m => new SeriesKey(r, m))).ToList();

// 1. One collection of the fleet through the portal's CloudWatch source, against moto.
using (var moto = await Moto.StartAsync())
{
    var settings = new Dictionary<string, string?>
    {
        ["Aws:ServiceUrl"] = moto.Url.ToString(),
        ["Aws:Accounts:0:Id"] = account,
        ["Aws:Accounts:0:Regions:0"] = region,
        ["Aws:RequestTimeoutSeconds"] = "120",
    };
    var services = new ServiceCollection();
    services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
    services.AddAwsProvider(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    await using var sp = services.BuildServiceProvider();
    var source = sp.GetRequiredService<IMetricsSource>();
    var core = sp.GetRequiredService<AwsProtocolClient>();
    var end = RuleEvaluator.Floor(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    await source.FetchAsync(series.Take(10).ToList(), end.AddMinutes(-10), end, TimeSpan.FromMinutes(5)); // warm-up: connection, signer, JIT
    var before = core.Calls;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    var fetch = await source.FetchAsync(series, end.AddMinutes(-10), end, TimeSpan.FromMinutes(5));
    wall.Stop();
    var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var calls = core.Calls - before;
    var minimum = (int)Math.Ceiling(series.Count / 500.0);
    rows.Add($"| Collection of {instances:N0} instances × {metrics.Length} metrics ({series.Count:N0} series), one region | GetMetricData calls | {calls} | minimum ceil({series.Count}/500) = {minimum}; budget ≤ 1.05× = {Math.Floor(minimum * 1.05)} |");
    rows.Add($"| same | wall time against moto | {wall.Elapsed.TotalSeconds:0.00} s | moto's own time dominates |");
    rows.Add($"| same | client CPU | {cpuUsed.TotalSeconds:0.00} s | |");
    if (fetch.Errors.Count > 0)
    {
        Console.WriteLine(string.Join("\n", fetch.Errors));
    }
}

// 2. Rule evaluation throughput: the pure evaluator over stored-like points, as the engine runs it.
{
    var owner = new PortalUser(Guid.NewGuid(), "bench", "bench", Role.Admin, [Scope.Everything], DateTimeOffset.UnixEpoch);
    var now = RuleEvaluator.Floor(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    var rules = Enumerable.Range(0, ruleCount).Select(i => new AlertRuleDraft
    {
        Name = $"rule {i}", Kind = i % 5 == 4 ? RuleKind.NoData : RuleKind.Threshold, Metric = MetricKind.Cpu, Threshold = 50 + i, Comparison = Comparison.GreaterThan,
        PeriodMinutes = 5, EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Account, ScopeValue = "*", NotifyRole = Role.Operator,
    }.ToRule(Guid.NewGuid(), owner, now, TimeSpan.FromMinutes(5))).ToList();
    var random = new Random(1);
    var points = refs.ToDictionary(r => r, r => Enumerable.Range(1, 3).Select(k => new MetricPoint(r, MetricKind.Cpu, now.AddMinutes(-5 * k), random.NextDouble() * 100)).ToList());
    var watch = Stopwatch.StartNew();
    var breaching = 0;
    foreach (var rule in rules)
    {
        foreach (var r in refs)
        {
            breaching += RuleEvaluator.Evaluate(rule, points[r], now).State == EvaluationState.Breaching ? 1 : 0;
        }
    }

    watch.Stop();
    var evaluations = rules.Count * refs.Count;
    rows.Add($"| Rule evaluation, {ruleCount} rules × {instances:N0} instances, 3 periods each | time | {watch.Elapsed.TotalMilliseconds:0} ms ({evaluations / watch.Elapsed.TotalSeconds:N0} evaluations/s) | {breaching:N0} breaching |");
}

Console.WriteLine();
Console.WriteLine("| what | measure | result | budget / floor |");
Console.WriteLine("|---|---|---|---|");
rows.ForEach(Console.WriteLine);
return;

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
        for (var i = 0; i < 300 && !process.HasExited; i++)
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
