using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Patching [-- --instances 10000]
// A loopback stub answers DescribeInstanceInformation and DescribeInstancePatchStates with the botocore output shapes (the calls
// moto lacks); the portal's SSM adapter (AWSSDK.SimpleSystemsManagement) reads through it over a real socket. The stub's own time is
// included in the wall time, so wall time is an upper bound; calls and client CPU are the figures.
var count = Arg("--instances", 10_000);
const string account = "123456789012";
const string region = "us-east-1";
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
var ids = Enumerable.Range(0, count).Select(i => $"i-{i:x17}").ToList();
var calls = new ConcurrentDictionary<string, int>();
var maxIds = 0;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var app = builder.Build();
app.MapPost("/", async (HttpContext context) =>
{
    var target = context.Request.Headers["X-Amz-Target"].ToString();
    var op = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
    calls.AddOrUpdate(op, 1, (_, n) => n + 1);
    var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) ?? new JsonObject();
    context.Response.ContentType = "application/x-amz-json-1.1";
    context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
    object answer = op switch
    {
        "DescribeInstanceInformation" => Information(body),
        "DescribeInstancePatchStates" => PatchStates(body),
        _ => new { },
    };
    await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
});
await app.StartAsync();
var url = app.Urls.First();

var settings = new Dictionary<string, string?> { ["Aws:ServiceUrl"] = url, ["Aws:Accounts:0:Id"] = account, ["Aws:Accounts:0:Regions:0"] = region };
var services = new ServiceCollection();
services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
services.AddAwsProvider(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
await using var sp = services.BuildServiceProvider();
var ssm = sp.GetRequiredService<IRemoteCommands>();
var scope = new CloudScope(account, region);
await ssm.PatchStatesAsync(scope, ids.Take(50).ToList()); // warm-up: connection, signer, JIT
calls.Clear();

var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
var managed = await ssm.ManagedInstancesAsync(scope);
var states = await ssm.PatchStatesAsync(scope, managed.Select(m => m.InstanceId).ToList());
wall.Stop();
var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;

var now = DateTimeOffset.UtcNow;
var patchStates = states.Select(s =>
{
    var instance = new InstanceRef(account, region, s.InstanceId);
    return new InstancePatchState(instance, s.InstanceId, Footprint.Of(account, region, null), "web", new AgentStatus(instance, AgentPing.Online, null, null, now, null, null)).With(s, now);
}).ToList();
var summarize = Stopwatch.StartNew();
var byRegion = PatchCompliance.Summarize(patchStates, PatchComplianceDimension.Region, now);
summarize.Stop();

Console.WriteLine($"| Read agents and patch state of {count:N0} managed instances, one region | DescribeInstanceInformation calls | {calls.GetValueOrDefault("DescribeInstanceInformation")} | minimum ceil({count}/50) = {(count + 49) / 50} |");
Console.WriteLine($"| same | DescribeInstancePatchStates calls (largest {maxIds} ids) | {calls.GetValueOrDefault("DescribeInstancePatchStates")} | minimum ceil({count}/50) = {(count + 49) / 50} |");
Console.WriteLine($"| same | wall time, stub included | {wall.Elapsed.TotalSeconds:0.00} s | upper bound; the stub runs in the same process |");
Console.WriteLine($"| same | process CPU (client and stub) | {used.TotalSeconds:0.00} s | upper bound of client CPU |");
Console.WriteLine($"| Compliance of {patchStates.Count:N0} states by region | time | {summarize.Elapsed.TotalMilliseconds:0} ms | {byRegion.Count} row(s) |");
await app.StopAsync();

object Information(JsonNode body)
{
    var start = body["NextToken"]?.GetValue<string>() is { Length: > 0 } t ? int.Parse(t, CultureInfo.InvariantCulture) : 0;
    var size = body["MaxResults"]?.GetValue<int>() ?? 50;
    var page = ids.Skip(start).Take(size);
    return new Dictionary<string, object?>
    {
        ["InstanceInformationList"] = page.Select(id => new
        {
            InstanceId = id, PingStatus = "Online", LastPingDateTime = 1.7e9, AgentVersion = "3.3.40.0", IsLatestVersion = true, PlatformType = "Linux",
            PlatformName = "Amazon Linux", PlatformVersion = "2023", ResourceType = "EC2Instance", IPAddress = "10.0.0.10",
        }),
        ["NextToken"] = start + size < ids.Count ? (start + size).ToString(CultureInfo.InvariantCulture) : null,
    };
}

object PatchStates(JsonNode body)
{
    var requested = body["InstanceIds"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
    maxIds = Math.Max(maxIds, requested.Count);
    return new
    {
        InstancePatchStates = requested.Select((id, i) => new
        {
            InstanceId = id, PatchGroup = "web", BaselineId = "pb-0c10e65780EXAMPLE", InstalledCount = 45, InstalledOtherCount = 396, InstalledPendingRebootCount = 0,
            InstalledRejectedCount = 0, MissingCount = i % 3, FailedCount = 0, NotApplicableCount = 4, OperationStartTime = 1.7e9, OperationEndTime = 1.7e9 + 120,
            Operation = "Scan", CriticalNonCompliantCount = i % 7 == 0 ? 1 : 0, SecurityNonCompliantCount = i % 3 == 1 ? 1 : 0, OtherNonCompliantCount = 0,
        }),
    };
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
