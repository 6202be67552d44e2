using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Scaling [-- --groups 1000 --regions 2 --latency-ms 200]
// A loopback stub answers DescribeAutoScalingGroups in the botocore output shape (groups with two instances and tags), paging at the
// MaxRecords the client asks for; the portal's IScaling port (our Query client) lists every group of every region through it over a
// real socket. Figures: calls against the minimum (sum over regions of ceil(groups / 100)), client CPU for the listing (the stub's
// answers are rendered before the clock starts), wall time with the injected latency against the slowest region's pages × latency.
var total = Arg("--groups", 1000);
var regionCount = Arg("--regions", 2);
var latency = TimeSpan.FromMilliseconds(Arg("--latency-ms", 200));
const string account = "123456789012";
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
var regions = Enumerable.Range(0, regionCount).Select(i => new[] { "us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2" }[i % 4] + (i >= 4 ? $"-{i}" : string.Empty)).ToList();
var perRegion = regions.Select((r, i) => (Region: r, Groups: total / regionCount + (i < total % regionCount ? 1 : 0))).ToDictionary(x => x.Region, x => x.Groups);
var calls = new ConcurrentDictionary<string, int>();
var pageSizes = new ConcurrentBag<int>();
var pages = new ConcurrentDictionary<(string Region, int Page, int Size), byte[]>();
var delay = TimeSpan.Zero;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var app = builder.Build();
app.MapPost("/", async (HttpContext context) =>
{
    var form = await context.Request.ReadFormAsync();
    var action = form["Action"].ToString();
    var region = RegionOf(context.Request.Headers.Authorization.ToString());
    calls.AddOrUpdate($"{region} {action}", 1, (_, n) => n + 1);
    var size = int.TryParse(form["MaxRecords"], CultureInfo.InvariantCulture, out var m) ? m : 50;
    pageSizes.Add(size);
    var page = int.TryParse(form["NextToken"], CultureInfo.InvariantCulture, out var t) ? t : 0;
    if (delay > TimeSpan.Zero)
    {
        await Task.Delay(delay);
    }

    context.Response.ContentType = "text/xml";
    var body = pages.GetOrAdd((region, page, size), k => Page(k.Region, k.Page, k.Size));
    await context.Response.Body.WriteAsync(body);
});
await app.StartAsync();
var url = app.Urls.First();

var settings = new Dictionary<string, string?> { ["Aws:ServiceUrl"] = url, ["Aws:Accounts:0:Id"] = account, ["Aws:MaxParallelism"] = "8" };
for (var i = 0; i < regions.Count; i++)
{
    settings[$"Aws:Accounts:0:Regions:{i}"] = regions[i];
}

var services = new ServiceCollection();
services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
services.AddSingleton(TimeProvider.System);
services.AddAwsProvider(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
await using var sp = services.BuildServiceProvider();

// Warm-up (connection, signer, JIT) and page rendering, then a fresh port per measured run (its listing cache starts empty).
await NewPort().ListGroupsAsync();
calls.Clear();
pageSizes.Clear();

var scope = new ReadScope([Scope.Parse("*/*")]);
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
var listing = await NewPort().ListGroupsAsync();
var page1 = new ScalingGroupQuery(0, 25) { OnlyUnsettled = false }.Apply(listing.Groups, scope);
wall.Stop();
var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
var measuredCalls = calls.Values.Sum();
var minimum = perRegion.Values.Sum(n => (n + 99) / 100);

calls.Clear();
delay = latency;
var slowest = perRegion.Values.Max(n => (n + 99) / 100);
var fanned = Stopwatch.StartNew();
var again = await NewPort().ListGroupsAsync();
fanned.Stop();

Console.WriteLine($"Groups listed: {listing.Groups.Count} in {regions.Count} region(s) (first page of the grid: {page1.Items.Count} of {page1.TotalCount})");
Console.WriteLine($"DescribeAutoScalingGroups calls: {measuredCalls} (minimum {minimum}); MaxRecords asked: {string.Join(",", pageSizes.Distinct())}");
Console.WriteLine($"Client CPU to list and page: {used.TotalMilliseconds:0} ms; wall {wall.ElapsedMilliseconds} ms (loopback stub in the same process)");
Console.WriteLine($"With {latency.TotalMilliseconds:0} ms per call: wall {fanned.ElapsedMilliseconds} ms for {again.Groups.Count} groups; slowest region {slowest} page(s) × {latency.TotalMilliseconds:0} ms = {slowest * latency.TotalMilliseconds:0} ms (regions in parallel; sequential would be {minimum * latency.TotalMilliseconds:0} ms)");
await app.StopAsync();
return listing.Groups.Count == total && measuredCalls == minimum ? 0 : 1;

IScaling NewPort() => ActivatorUtilities.CreateInstance<PortalOps.Jobs.Aws.Scaling.AwsScaling>(sp);

byte[] Page(string region, int page, int size)
{
    var count = perRegion[region];
    var from = page * size;
    var to = Math.Min(count, from + size);
    var xml = new StringBuilder("<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><DescribeAutoScalingGroupsResult><AutoScalingGroups>");
    for (var n = from; n < to; n++)
    {
        var name = $"{region}-group-{n:D4}";
        xml.Append("<member><AutoScalingGroupName>").Append(name).Append("</AutoScalingGroupName>")
            .Append("<AutoScalingGroupARN>arn:aws:autoscaling:").Append(region).Append(':').Append(account).Append(":autoScalingGroup:0000:autoScalingGroupName/").Append(name).Append("</AutoScalingGroupARN>")
            .Append("<LaunchTemplate><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>7</Version></LaunchTemplate>")
            .Append("<MinSize>1</MinSize><MaxSize>8</MaxSize><DesiredCapacity>2</DesiredCapacity><DefaultCooldown>300</DefaultCooldown>")
            .Append("<AvailabilityZones><member>").Append(region).Append("a</member><member>").Append(region).Append("b</member></AvailabilityZones>")
            .Append("<TargetGroupARNs><member>arn:aws:elasticloadbalancing:").Append(region).Append(':').Append(account).Append(":targetgroup/web/0123456789abcdef</member></TargetGroupARNs>")
            .Append("<HealthCheckType>ELB</HealthCheckType><CreatedTime>2026-01-01T00:00:00Z</CreatedTime><Instances>");
        for (var i = 0; i < 2; i++)
        {
            xml.Append("<member><InstanceId>i-").Append((n * 2 + i).ToString("x17", CultureInfo.InvariantCulture)).Append("</InstanceId><InstanceType>m5.large</InstanceType><AvailabilityZone>")
                .Append(region).Append(i == 0 ? 'a' : 'b').Append("</AvailabilityZone><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus>")
                .Append("<LaunchTemplate><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>7</Version></LaunchTemplate><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>");
        }

        xml.Append("</Instances><Tags>")
            .Append("<member><ResourceId>").Append(name).Append("</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>env</Key><Value>prod</Value><PropagateAtLaunch>true</PropagateAtLaunch></member>")
            .Append("<member><ResourceId>").Append(name).Append("</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>team</Key><Value>web</Value><PropagateAtLaunch>true</PropagateAtLaunch></member>")
            .Append("</Tags></member>");
    }

    xml.Append("</AutoScalingGroups>");
    if (to < count)
    {
        xml.Append("<NextToken>").Append(page + 1).Append("</NextToken>");
    }

    xml.Append("</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>").Append(Guid.NewGuid()).Append("</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>");
    return Encoding.UTF8.GetBytes(xml.ToString());
}

static string RegionOf(string authorization)
{
    // AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/autoscaling/aws4_request, ...
    var credential = authorization.Split(' ', ',').FirstOrDefault(p => p.StartsWith("Credential=", StringComparison.Ordinal)) ?? string.Empty;
    var parts = credential.Split('/');
    return parts.Length >= 3 ? parts[2] : "unknown";
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
