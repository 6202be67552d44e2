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
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.LoadBalancing;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.LoadBalancing [-- --groups 1000 --delay 10 --latency 200]
// A loopback stub answers the ELBv2 Query operations with botocore's output shapes: DescribeTargetGroups pages of at most PageSize (400)
// with a Marker, DescribeTargetHealth (2 targets per group; a deregistered target is "draining" until the group's delay has passed),
// DescribeTags, DescribeTargetGroupAttributes, Register/DeregisterTargets. The portal's own ELBv2 client reads through it.
// Part 1 lists every group with health (no latency): calls and CPU. Part 2 stops one registered instance through the instance action
// executor with drain before stop, each call delayed by --latency ms: wall time against the deregistration delay.
var groups = Arg("--groups", 1000);
var delaySeconds = Arg("--delay", 10);
var latency = TimeSpan.FromMilliseconds(Arg("--latency", 200));
const string account = "123456789012";
const string region = "us-east-1";
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

var calls = new ConcurrentDictionary<string, int>();
var drainingSince = new ConcurrentDictionary<(int Group, string Target), DateTimeOffset>();
var addLatency = false;
string Arn(int i) => $"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/tg-{i:D4}/{i:x16}";
string Target(int i, int n) => $"i-{i * 2 + n:x17}";
int GroupOf(string arn) => int.Parse(arn.Split('/')[1][3..], CultureInfo.InvariantCulture);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var app = builder.Build();
app.MapPost("/", async (HttpContext context) =>
{
    var form = await context.Request.ReadFormAsync();
    var action = form["Action"].ToString();
    calls.AddOrUpdate(action, 1, (_, n) => n + 1);
    if (addLatency)
    {
        await Task.Delay(latency);
    }

    var result = action switch
    {
        "DescribeTargetGroups" => TargetGroups(form),
        "DescribeTargetHealth" => Health(form),
        "DescribeTags" => Tags(form),
        "DescribeTargetGroupAttributes" => $"<Attributes><member><Key>deregistration_delay.timeout_seconds</Key><Value>{delaySeconds}</Value></member></Attributes>",
        "DeregisterTargets" => Deregister(form),
        "RegisterTargets" => string.Empty,
        _ => string.Empty,
    };
    context.Response.ContentType = "text/xml";
    await context.Response.WriteAsync($"<{action}Response xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></{action}Response>");
});
await app.StartAsync();
var url = app.Urls.First();

var settings = new Dictionary<string, string?> { ["Aws:ServiceUrl"] = url, ["Aws:Accounts:0:Id"] = account, ["Aws:Accounts:0:Regions:0"] = region };
var services = new ServiceCollection();
services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
services.AddAwsProvider(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
await using var sp = services.BuildServiceProvider();
var lbSettings = new LoadBalancingSettings { DrainPollInterval = TimeSpan.FromSeconds(1) };
var adapter = new AwsLoadBalancing(sp.GetRequiredService<IElbV2Api>(), lbSettings);
var scope = new CloudScope(account, region);

// Part 1: list every target group with the health of its targets.
await adapter.TargetGroupsAsync(scope); // warm up (JIT, connections)
calls.Clear();
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
var listed = await adapter.TargetGroupsAsync(scope);
wall.Stop();
var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
var listCalls = new Dictionary<string, int>(calls);

// Part 2: drain before stop, with latency on every ELB call, in the ways a drain can know where the instance is registered:
// a recent read in this process (the health watch reads every minute); after a restart, the persisted index of a read a minute old;
// an index hours old (the candidate drains at once, the other groups are searched while it drains); no index at all (only the
// search), with the instance's group early or last in the listing.
var reads = new LoadBalancingReads(sp.GetRequiredService<PortalOps.Domain.Accounts.ICloudProvider>(), adapter, lbSettings, TimeProvider.System);
var view = await reads.ViewAsync(scope);
var rows = new List<string>();
await DrainAsync("warm-up (not reported)", 3, reads, null); // JIT of the drain path, without latency
rows.Clear();
addLatency = true;
await DrainAsync("recent read of the scope in the process", 7, reads, null);
await DrainAsync("after a restart: persisted index of a read 60 s old", 107, null, await IndexAsync(TimeSpan.FromSeconds(60)));
await DrainAsync("persisted index 3 h old: candidate drained at once, the other groups searched meanwhile", 207, null, await IndexAsync(TimeSpan.FromHours(3)));
await DrainAsync("no index at all, instance's group early in the listing", 17, null, null);
await DrainAsync($"no index at all, instance's group last of {groups:N0}", groups - 1, null, null);
await app.StopAsync();

Console.WriteLine("| what | measure | figure | budget |");
Console.WriteLine("|---|---|---|---|");
Console.WriteLine($"| List {groups:N0} target groups with health, one region | DescribeTargetGroups calls | {listCalls.GetValueOrDefault("DescribeTargetGroups")} | minimum ceil({groups}/400) = {(groups + 399) / 400} |");
Console.WriteLine($"| same | DescribeTargetHealth calls | {listCalls.GetValueOrDefault("DescribeTargetHealth")} | one per group = {groups} |");
Console.WriteLine($"| same | DescribeTags calls | {listCalls.GetValueOrDefault("DescribeTags")} | ceil({groups}/20) = {(groups + 19) / 20} |");
Console.WriteLine($"| same | targets read | {listed.Sum(g => g.Targets.Count):N0} | {groups * 2:N0} |");
Console.WriteLine($"| same | wall time, stub included | {wall.Elapsed.TotalSeconds:0.00} s | upper bound; the stub runs in the same process |");
Console.WriteLine($"| same | process CPU (client and stub) | {used.TotalSeconds:0.00} s | upper bound of client CPU |");
foreach (var row in rows)
{
    Console.WriteLine(row);
}

return;

async Task<IRegistrationIndex> IndexAsync(TimeSpan age)
{
    var index = new InMemoryRegistrationIndex();
    await index.RecordAsync(RegistrationIndexSnapshot.Of(view) with { ReadAt = DateTimeOffset.UtcNow - age });
    return index;
}

async Task DrainAsync(string how, int group, LoadBalancingReads? recent, IRegistrationIndex? index)
{
    calls.Clear();
    var compute = new StubCompute();
    var drainer = new TargetDrainer(adapter, new InMemoryDrainedRegistrations(), lbSettings, TimeProvider.System, reads: recent, index: index);
    var executor = new InstanceActionExecutor(compute, drainer);
    var target = new ResolvedTarget(new InstanceRef(account, region, Target(group, 0)), $"web-{group}", new Dictionary<string, string>());
    var drainWall = Stopwatch.StartNew();
    var stop = await executor.ExecuteAsync(ActionKind.StopInstances, [target], new Dictionary<string, string>(), $"bench-stop-{group}", CancellationToken.None);
    drainWall.Stop();
    var within = drainWall.Elapsed.TotalSeconds <= delaySeconds * 1.1 ? "within" : "over";
    rows.Add($"| Stop one registered instance with drain before stop, {how}, {latency.TotalMilliseconds:0} ms per ELB call | wall time | {drainWall.Elapsed.TotalSeconds:0.00} s | {within} 1.1 × deregistration delay {delaySeconds} s = {delaySeconds * 1.1:0.0} s |");
    rows.Add($"| same | ELB calls (DescribeTargetGroups / DescribeTargetHealth / DeregisterTargets / DescribeTargetGroupAttributes) | {calls.GetValueOrDefault("DescribeTargetGroups")} / {calls.GetValueOrDefault("DescribeTargetHealth")} / {calls.GetValueOrDefault("DeregisterTargets")} / {calls.GetValueOrDefault("DescribeTargetGroupAttributes")} | {stop.Summary} |");
}

string TargetGroups(IFormCollection form)
{
    var size = int.TryParse(form["PageSize"], CultureInfo.InvariantCulture, out var s) ? Math.Min(s, 400) : 400;
    var start = int.TryParse(form["Marker"], CultureInfo.InvariantCulture, out var m) ? m : 0;
    var xml = new StringBuilder("<TargetGroups>");
    for (var i = start; i < Math.Min(groups, start + size); i++)
    {
        xml.Append(CultureInfo.InvariantCulture, $"<member><TargetGroupArn>{Arn(i)}</TargetGroupArn><TargetGroupName>tg-{i:D4}</TargetGroupName><Protocol>HTTP</Protocol><Port>80</Port><VpcId>vpc-1</VpcId><TargetType>instance</TargetType><HealthCheckPath>/health</HealthCheckPath><LoadBalancerArns><member>arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/lb-{i / 10}/1</member></LoadBalancerArns></member>");
    }

    xml.Append("</TargetGroups>");
    if (start + size < groups)
    {
        xml.Append(CultureInfo.InvariantCulture, $"<NextMarker>{start + size}</NextMarker>");
    }

    return xml.ToString();
}

string Health(IFormCollection form)
{
    var g = GroupOf(form["TargetGroupArn"].ToString());
    var xml = new StringBuilder("<TargetHealthDescriptions>");
    foreach (var t in new[] { Target(g, 0), Target(g, 1) })
    {
        var state = "healthy";
        if (drainingSince.TryGetValue((g, t), out var since))
        {
            if (DateTimeOffset.UtcNow - since >= TimeSpan.FromSeconds(delaySeconds))
            {
                continue; // drained and gone
            }

            state = "draining";
        }

        xml.Append(CultureInfo.InvariantCulture, $"<member><Target><Id>{t}</Id><Port>80</Port></Target><HealthCheckPort>traffic-port</HealthCheckPort><TargetHealth><State>{state}</State></TargetHealth></member>");
    }

    return xml.Append("</TargetHealthDescriptions>").ToString();
}

string Tags(IFormCollection form)
{
    var xml = new StringBuilder("<TagDescriptions>");
    foreach (var key in form.Keys.Where(k => k.StartsWith("ResourceArns.member.", StringComparison.Ordinal)))
    {
        xml.Append(CultureInfo.InvariantCulture, $"<member><ResourceArn>{form[key]}</ResourceArn><Tags><member><Key>env</Key><Value>prod</Value></member></Tags></member>");
    }

    return xml.Append("</TagDescriptions>").ToString();
}

string Deregister(IFormCollection form)
{
    var g = GroupOf(form["TargetGroupArn"].ToString());
    foreach (var key in form.Keys.Where(k => k.StartsWith("Targets.member.", StringComparison.Ordinal) && k.EndsWith(".Id", StringComparison.Ordinal)))
    {
        drainingSince[(g, form[key].ToString())] = DateTimeOffset.UtcNow;
    }

    return string.Empty;
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}

/// <summary>Records when the stop came (no EC2 in this benchmark: the drain is what is measured).</summary>
internal sealed class StubCompute : ICompute
{
    private readonly Stopwatch since = Stopwatch.StartNew();

    public TimeSpan? StoppedAt { get; private set; }

    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        StoppedAt = since.Elapsed;
        return Task.FromResult(new ComputeResult(targets.Select(t => new TargetResult(t, true)).ToList(), "bench"));
    }
}
