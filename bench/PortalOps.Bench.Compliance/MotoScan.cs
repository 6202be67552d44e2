using System.Collections.Concurrent;
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
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Tests.Aws.Support;
using Ec2ResourceType = Amazon.EC2.ResourceType;
using ResourceType = PortalOps.Domain.Compliance.ResourceType;

namespace PortalOps.Bench.Compliance;

/// <summary>
/// A compliance scan of the inventory benchmark's fleet size on moto (N instances over 4 regions, launched 250 per RunInstances,
/// tags Name and team; each gets a root volume): every account × region read once with the portal's AWS compliance source,
/// built as the host builds it (AddAwsProvider), through a counting proxy on a real loopback socket, then the built-in pack plus
/// custom YAML policies evaluated over that snapshot. moto is started through moto_paged_as_ec2.py so that DescribeInstances
/// and DescribeVolumes page as EC2 documents (moto pages instances by reservation, and volumes not at all). Prints calls per operation beside the minimum pages, and the process CPU of each scan.
/// moto runs in its own process, so the CPU figure is the client's, plus the in-process counting proxy (an upper bound).
/// </summary>
internal static class MotoScan
{
    private const string Account = "123456789012";

    /// <summary>Instances per RunInstances call when seeding (EC2 launches up to the account's limit in one call).</summary>
    private const int Batch = 250;

    /// <summary>Five policies written as YAML beside the 15 built-in ones: 20 in all.</summary>
    private static readonly string[] Custom =
    [
        "id: instance-team-missing\ntitle: Instance without a team tag\nresource: instance\nseverity: low\nfilters:\n  - tag: {key: team, absent: true}\n",
        "id: web-imdsv1\ntitle: Web instance allows IMDSv1\nresource: instance\nseverity: high\nfilters:\n  - tag: {key: team, value: web}\n  - field: imds-v2-required\n    equals: false\n",
        "id: instance-running-90d\ntitle: Running for more than 90 days\nresource: instance\nseverity: low\nfilters:\n  - field: state\n    equals: running\n  - age: {field: launch-time, older-than-days: 90}\n",
        "id: volume-gp2\ntitle: Volume still on gp2\nresource: volume\nseverity: low\nfilters:\n  - field: volume-type\n    equals: gp2\n",
        "id: sg-web-open\ntitle: HTTP or HTTPS open to the world\nresource: security-group\nseverity: medium\nfilters:\n  - world-open: [80, 443]\n",
    ];

    public static async Task RunAsync(string[] args)
    {
        var instances = Arg(args, "--instances", 10_000);
        var scans = Math.Max(1, Arg(args, "--scans", 5));
        var direct = Math.Max(0, Arg(args, "--direct", 0));
        string[] regions = new[] { "us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1" }[..Math.Clamp(Arg(args, "--regions", 4), 1, 4)];
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

        var policies = BuiltInPolicies.All.ToList();
        foreach (var yaml in Custom)
        {
            var read = PolicyYaml.Read(yaml);
            if (!read.Succeeded)
            {
                throw new InvalidOperationException("A benchmark policy does not read: " + string.Join("; ", read.Errors));
            }

            policies.Add(read.Policy!);
        }

        using var moto = await Moto.StartAsync();
        Console.WriteLine($"moto (paged as EC2 documents) on {moto.Url}; seeding {instances} instances over {regions.Length} regions, up to {Batch} per RunInstances call …");
        var seed = Stopwatch.StartNew();
        var perRegion = new ConcurrentDictionary<string, int>();
        var runCalls = 0;
        await Parallel.ForEachAsync(regions, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (region, ct) =>
        {
            var n = instances / regions.Length + (Array.IndexOf(regions, region) < instances % regions.Length ? 1 : 0);
            perRegion[region] = n;
            using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = moto.Url.ToString(), AuthenticationRegion = region, MaxErrorRetry = 5, Timeout = TimeSpan.FromMinutes(10) });
            var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] }, ct)).Images[0].ImageId;
            for (var (done, batch) = (0, 0); done < n; batch++)
            {
                var count = Math.Min(Batch, n - done);
                await ec2.RunInstancesAsync(new RunInstancesRequest
                {
                    ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = count, MaxCount = count,
                    TagSpecifications = [new TagSpecification { ResourceType = Ec2ResourceType.Instance, Tags = [new Tag("Name", $"{region}-{batch:D3}"), new Tag("team", batch % 2 == 0 ? "web" : "data")] }],
                }, ct);
                Interlocked.Increment(ref runCalls);
                done += count;
            }
        });
        Console.WriteLine($"seeded with {runCalls} RunInstances calls in {seed.Elapsed.TotalSeconds:0} s");

        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var sp = Provider(proxy.Url, regions);
        var source = sp.GetRequiredService<IComplianceSource>();
        var scopes = regions.Select(r => new CloudScope(Account, r)).ToList();
        var context = new EvaluationContext(DateTimeOffset.UtcNow, ["Owner"]);
        var rows = new List<string>();
        var cpuRuns = new List<double>();
        var wallRuns = new List<double>();
        IReadOnlyDictionary<string, int> calls = new Dictionary<string, int>();
        var resourceCounts = new Dictionary<ResourceType, int>();
        var violations = 0;
        for (var run = 0; run <= scans; run++)
        {
            // Scan 0 reads moto (and records its answers); the next ones are served those answers from memory by the same
            // proxy on the same loopback socket, so their CPU is the client's (and the proxy's), not time spent waiting on moto.
            proxy.Replay = run > 0;
            proxy.ResetCounts();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();

            // As ComplianceScanner reads: every account × region once, four at a time, then every policy over the one snapshot.
            var all = new ConcurrentBag<ComplianceResource>();
            await Parallel.ForEachAsync(scopes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (scope, ct) =>
            {
                foreach (var r in await source.ReadAsync(scope, ct))
                {
                    all.Add(r);
                }
            });
            var result = PolicyEvaluator.Evaluate(policies, new ComplianceInventory([.. all], scopes), context);
            wall.Stop();
            cpuRuns.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            wallRuns.Add(wall.Elapsed.TotalSeconds);
            violations = result.Violations.Count;
            if (run == 0)
            {
                calls = proxy.Calls.ToDictionary(c => c.Key, c => c.Value);
            }

            resourceCounts = all.GroupBy(r => r.Type).ToDictionary(g => g.Key, g => g.Count());
            Console.WriteLine($"scan {run} ({(run == 0 ? "moto" : "replayed")}): {calls.Values.Sum()} calls, {all.Count} resources, {violations} violations, CPU {cpuRuns[^1]:0.00} s, wall {wallRuns[^1]:0.0} s");
        }

        // Optional warm scans straight at moto, without the proxy: the process CPU is then the client's alone (moto is another
        // process), at the price of waiting minutes for moto's answers.
        var directRuns = new List<double>();
        if (direct > 0)
        {
            await using var directSp = Provider(moto.Url, regions);
            var directSource = directSp.GetRequiredService<IComplianceSource>();
            for (var run = 0; run <= direct; run++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                var all = new ConcurrentBag<ComplianceResource>();
                await Parallel.ForEachAsync(scopes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (scope, ct) =>
                {
                    foreach (var r in await directSource.ReadAsync(scope, ct))
                    {
                        all.Add(r);
                    }
                });
                var result = PolicyEvaluator.Evaluate(policies, new ComplianceInventory([.. all], scopes), context);
                var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

                // The first direct scan warms the new provider's clients and connections; it is shown and not counted.
                if (run > 0)
                {
                    directRuns.Add(used);
                }

                Console.WriteLine($"direct scan {run}{(run == 0 ? " (new clients, not counted)" : "")}: {all.Count} resources, {result.Violations.Count} violations, CPU {used:0.00} s, wall {wall.Elapsed.TotalSeconds:0.0} s");
            }
        }

        foreach (var e in proxy.UpstreamErrors.Take(5))
        {
            Console.WriteLine("upstream error: " + e);
        }

        int Pages(int items, int perPage) => Math.Max(1, (int)Math.Ceiling(items / (double)perPage));
        var volumesPerRegion = resourceCounts.GetValueOrDefault(ResourceType.Volume) / regions.Length;
        var minimum = new Dictionary<string, string>
        {
            ["DescribeInstances"] = $"{regions.Sum(r => Pages(perRegion[r], 1000))} (Σ ceil(instances/1000))",
            ["DescribeVolumes"] = $"{regions.Length * Pages(volumesPerRegion, 500)} (Σ ceil(volumes/500))",
            ["DescribeSnapshots"] = $"{regions.Length} (own snapshots, 1 page per region)",
            ["DescribeImages"] = $"{regions.Length * 2} (own images + images in use, per region)",
            ["DescribeSecurityGroups"] = $"{regions.Length}",
            ["DescribeAddresses"] = $"{regions.Length}",
            ["GetEbsEncryptionByDefault"] = $"{regions.Length}",
        };
        Console.WriteLine();
        Console.WriteLine($"{instances:N0} instances over {regions.Length} regions; {policies.Count} policies ({BuiltInPolicies.All.Count} built-in + {Custom.Length} YAML); " +
                          $"resources read: {string.Join(", ", resourceCounts.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value:N0}"))}; {violations:N0} violations");
        Console.WriteLine("| operation | calls per scan | minimum pages |");
        Console.WriteLine("|---|---|---|");
        foreach (var (op, n) in calls.OrderByDescending(c => c.Value).ThenBy(c => c.Key))
        {
            Console.WriteLine($"| {op} | {n} | {minimum.GetValueOrDefault(op, "—")} |");
        }

        Console.WriteLine($"| **all** | **{calls.Values.Sum()}** | |");
        Console.WriteLine();
        var replayed = cpuRuns.Skip(1).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"process CPU (client + in-process proxy; moto excluded): scan against moto {cpuRuns[0]:0.00} s (first in the process: JIT included; wall {wallRuns[0]:0.0} s); " +
            $"replayed over loopback, median {replayed[replayed.Count / 2]:0.00} s, best {replayed[0]:0.00} s, max {replayed[^1]:0.00} s " +
            $"(wall median {wallRuns.Skip(1).Order().ElementAt(replayed.Count / 2):0.00} s) over {replayed.Count} scans"));
        if (directRuns.Count > 0)
        {
            var d = directRuns.Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"process CPU of warm scans straight at moto (client only, no proxy): median {d[d.Count / 2]:0.00} s, best {d[0]:0.00} s, max {d[^1]:0.00} s over {d.Count} scans"));
        }
    }

    private static ServiceProvider Provider(Uri url, string[] regions)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Aws:ServiceUrl"] = url.ToString(),
            ["Aws:Accounts:0:Id"] = Account,
            ["Aws:RequestTimeoutSeconds"] = "300",
        };
        for (var i = 0; i < regions.Length; i++)
        {
            settings[$"Aws:Accounts:0:Regions:{i}"] = regions[i];
        }

        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddAwsProvider(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>moto, paged as EC2 documents (moto_paged_as_ec2.py), on a free loopback port, stopped on dispose.</summary>
    private sealed class Moto : IDisposable
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
            var launcher = Path.Combine(AppContext.BaseDirectory, "Aws", "Support", "moto_paged_as_ec2.py");
            var process = Process.Start(new ProcessStartInfo("python3", [launcher, "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)])
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
}
