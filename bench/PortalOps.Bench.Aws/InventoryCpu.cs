using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Bench.Aws;

/// <summary>
/// What a warm inventory refresh of the whole fleet costs the portal's process, measured the way that process pays it: the
/// provider built as the host builds it refreshes over a real loopback socket from a server in <em>another</em> process, and the
/// figures are this process's CPU time (<see cref="Process.TotalProcessorTime"/>, user and kernel) and the bytes it allocated
/// (<see cref="GC.GetTotalAllocatedBytes"/>) across the refresh. Nothing is subtracted. The pages are moto's own DescribeInstances
/// XML: moto renders one instance per region, and its reservation item is repeated with distinct ids and names into pages of
/// 1000 chained with nextToken (seeding 10,000 instances into moto takes minutes of moto's CPU and renders the same XML).
/// </summary>
internal static class InventoryCpu
{
    private const string Account = "123456789012";

    public static async Task<int> RunAsync(string[] args)
    {
        var instances = Arg(args, "--instances", 10_000);
        var runs = Arg(args, "--runs", 10);
        string[] regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];
        var answers = ArgText(args, "--answers", Path.Combine(Path.GetTempPath(), $"portalops-bench-describe-{instances}"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, load average {LoadAverage()}");

        if (!File.Exists(Path.Combine(answers, "done")))
        {
            // moto renders one instance per region; its answer is the template of every page (moto's own XML, ids made distinct).
            using var moto = await Moto.StartAsync();
            await SeedAsync(moto.Url, regions, regions.Length);
            await using var recorder = await LoopbackProxy.StartAsync(moto.Url);
            await using (var sp = Provider(recorder.Url, regions))
            {
                var sample = await sp.GetRequiredService<IInventoryStatus>().RefreshAsync();
                Console.WriteLine($"moto sample: {sample.Regions.Sum(r => r.InstanceCount)} instances, healthy {sample.Healthy}");
            }

            Synthesize(answers, recorder.RecordedAnswers.Where(a => a.Body.Contains("Action=DescribeInstances", StringComparison.Ordinal)).ToList(), regions, instances);
        }

        var rows = new List<string>();
        using (var server = await ReplayChild.StartAsync(answers))
        {
            await using var sp = Provider(server.Url, regions);
            var status = sp.GetRequiredService<IInventoryStatus>();
            for (var i = 0; i < 5; i++)
            {
                var warm = await status.RefreshAsync(); // JIT tiers, connections, GC budget
                if (i == 0)
                {
                    Console.WriteLine($"replay: {warm.Regions.Sum(r => r.InstanceCount)} instances, healthy {warm.Healthy}");
                }
            }

            var measured = new List<Measure>();
            for (var i = 0; i < runs; i++)
            {
                measured.Add(await MeasureAsync(status));
                Console.WriteLine($"  {measured[^1]}");
            }

            rows.Add(Row("warm refresh from a separate-process server on a real loopback socket", measured, XmlBytes(answers)));
        }

        Console.WriteLine();
        Console.WriteLine($"| {instances:N0} instances, 4 regions, {Directory.GetFiles(answers, "*.xml").Length} DescribeInstances pages ({XmlBytes(answers) / 1e6:0.0} MB of XML) | runs | process CPU median (min–max) | allocated median (× XML) | GCs gen0/1/2 per refresh | wall median |");
        Console.WriteLine("|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>
    /// Pages of 1000 instances per region built from moto's answer for one instance: its reservation item repeated with distinct
    /// instance ids, reservation ids and names, chained with nextToken as EC2 pages them. Kept on disk as (region|NextToken).key + .xml.
    /// </summary>
    private static void Synthesize(string directory, List<(string Region, string Target, string Body, byte[] Answer)> calls, string[] regions, int instances)
    {
        Directory.CreateDirectory(directory);
        foreach (var old in Directory.GetFiles(directory))
        {
            File.Delete(old);
        }

        var file = 0;
        for (var r = 0; r < regions.Length; r++)
        {
            var xml = Encoding.UTF8.GetString(calls.Single(c => c.Region == regions[r]).Answer);
            var open = xml.IndexOf("<reservationSet>", StringComparison.Ordinal) + "<reservationSet>".Length;
            var close = xml.LastIndexOf("</reservationSet>", StringComparison.Ordinal);
            var head = xml[..open];
            var tail = xml[close..];
            var item = xml[open..close];
            var instanceId = System.Text.RegularExpressions.Regex.Match(item, "i-[0-9a-f]{17}").Value;
            var reservationId = System.Text.RegularExpressions.Regex.Match(item, "r-[0-9a-f]{17}").Value;
            var name = System.Text.RegularExpressions.Regex.Match(item, "<key>Name</key>\\s*<value>([^<]+)</value>").Groups[1].Value;
            var n = instances / regions.Length + (r < instances % regions.Length ? 1 : 0);
            var pages = (int)Math.Ceiling(n / 1000.0);
            for (var p = 0; p < pages; p++)
            {
                var page = new StringBuilder(head);
                for (var i = p * 1000; i < Math.Min(n, (p + 1) * 1000); i++)
                {
                    var id = $"{r:x2}{i:x15}";
                    page.Append(item.Replace(instanceId, "i-" + id, StringComparison.Ordinal).Replace(reservationId, "r-" + id, StringComparison.Ordinal)
                        .Replace(name, $"{regions[r]}-{i:D5}", StringComparison.Ordinal));
                }

                page.Append(p + 1 < pages ? tail.Replace("</reservationSet>", $"</reservationSet><nextToken>page-{p + 1}</nextToken>", StringComparison.Ordinal) : tail);
                File.WriteAllText(Path.Combine(directory, $"{file:D3}.key"), regions[r] + "|" + (p == 0 ? "" : $"page-{p}"));
                File.WriteAllText(Path.Combine(directory, $"{file:D3}.xml"), page.ToString());
                file++;
            }
        }

        File.WriteAllText(Path.Combine(directory, "done"), file.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine($"built {file} pages ({XmlBytes(directory) / 1e6:0.0} MB) from moto's answers in {directory}");
    }

    /// <summary>The child process: answers DescribeInstances pages by signing region and NextToken, on a loopback port it prints.</summary>
    public static async Task<int> ServeAsync(string answers)
    {
        var byKey = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in Directory.GetFiles(answers, "*.key"))
        {
            byKey[await File.ReadAllTextAsync(key)] = await File.ReadAllBytesAsync(Path.ChangeExtension(key, ".xml"));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            var auth = context.Request.Headers.Authorization.ToString();
            var scope = auth.IndexOf("Credential=", StringComparison.Ordinal) is var i and >= 0 ? auth[(i + 11)..].Split(',')[0].Split('/') : [];
            var token = body.Split('&').Where(p => p.StartsWith("NextToken=", StringComparison.Ordinal)).Select(p => Uri.UnescapeDataString(p[10..])).FirstOrDefault() ?? "";
            if (!byKey.TryGetValue((scope.Length > 2 ? scope[2] : "") + "|" + token, out var answer))
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("<Response><Errors><Error><Code>NotRecorded</Code><Message>not recorded</Message></Error></Errors></Response>");
                return;
            }

            context.Response.ContentType = "text/xml;charset=utf-8";
            context.Response.ContentLength = answer.Length;
            context.Response.Headers["x-amzn-RequestId"] = "replay";
            await context.Response.Body.WriteAsync(answer);
        });
        await app.StartAsync();
        Console.WriteLine("listening " + app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await Console.In.ReadLineAsync(); // the parent closes stdin to stop us
        await app.StopAsync();
        return 0;
    }

    private static async Task<Measure> MeasureAsync(IInventoryStatus status)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await status.RefreshAsync();
        wall.Stop();
        var usedCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var usedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (!result.Healthy)
        {
            throw new InvalidOperationException("refresh failed: " + string.Join("; ", result.Regions.Select(r => r.Error)));
        }

        return new Measure(usedCpu, usedBytes, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, wall.Elapsed,
            result.Regions.Sum(r => r.InstanceCount));
    }

    private static string Row(string label, List<Measure> measured, long xml)
    {
        var cpu = measured.Select(m => m.Cpu.TotalSeconds).Order().ToList();
        var bytes = measured.Select(m => (double)m.Allocated).Order().ToList();
        var wall = measured.Select(m => m.Wall.TotalSeconds).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {measured.Count} | {Median(cpu):0.000} s ({cpu[0]:0.000}–{cpu[^1]:0.000}) | {Median(bytes) / 1e6:0.0} MB ({Median(bytes) / xml:0.00}×) | " +
            $"{measured.Average(m => m.Gen0):0.#}/{measured.Average(m => m.Gen1):0.#}/{measured.Average(m => m.Gen2):0.#} | {Median(wall):0.00} s |");
    }

    private static double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static long XmlBytes(string directory) => Directory.GetFiles(directory, "*.xml").Sum(f => new FileInfo(f).Length);

    private static async Task SeedAsync(Uri moto, string[] regions, int instances)
    {
        await Parallel.ForEachAsync(regions, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (region, ct) =>
        {
            var n = instances / regions.Length + (Array.IndexOf(regions, region) < instances % regions.Length ? 1 : 0);
            using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = moto.ToString(), AuthenticationRegion = region, MaxErrorRetry = 5 });
            var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] }, ct)).Images[0].ImageId;
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (i, ct2) =>
                await ec2.RunInstancesAsync(new RunInstancesRequest
                {
                    ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1,
                    TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", $"{region}-{i:D5}"), new Tag("team", i % 2 == 0 ? "web" : "data")] }],
                }, ct2));
        });
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

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string ArgText(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private sealed record Measure(TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Wall, int Instances)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Instances} instances, CPU {Cpu.TotalSeconds:0.000} s, allocated {Allocated / 1e6:0.0} MB, GCs {Gen0}/{Gen1}/{Gen2}, wall {Wall.TotalSeconds:0.00} s");
    }

    /// <summary>This benchmark started again as <c>--serve DIR</c>: its CPU is its own, not the measured process's.</summary>
    private sealed class ReplayChild : IDisposable
    {
        private readonly Process _process;

        private ReplayChild(Process process, Uri url)
        {
            _process = process;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<ReplayChild> StartAsync(string answers)
        {
            var self = Environment.ProcessPath!;
            var start = self.EndsWith("dotnet", StringComparison.Ordinal) || self.EndsWith("dotnet.exe", StringComparison.Ordinal)
                ? new ProcessStartInfo(self, [typeof(InventoryCpu).Assembly.Location, "--serve", answers])
                : new ProcessStartInfo(self, ["--serve", answers]);
            start.RedirectStandardOutput = true;
            start.RedirectStandardInput = true;
            var process = Process.Start(start) ?? throw new InvalidOperationException("the replay server did not start");
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("listening ", StringComparison.Ordinal))
                {
                    var address = line["listening ".Length..];
                    return new ReplayChild(process, new Uri(address.EndsWith('/') ? address : address + "/"));
                }
            }

            throw new InvalidOperationException("the replay server exited before listening");
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
