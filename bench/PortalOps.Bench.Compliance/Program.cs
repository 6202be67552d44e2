using System.Diagnostics;
using System.Globalization;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Compliance;

// A scan of the inventory benchmark's moto fleet: calls per operation and client CPU (see MotoScan).
// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Compliance -- --moto [--instances 10000 --scans 3]
if (args.Contains("--moto"))
{
    await PortalOps.Bench.Compliance.MotoScan.RunAsync(args);
    return;
}

// Evaluation: N instances (half prod, a spread of IMDS, monitoring, ages and tags) × the built-in instance policies,
// repeated until P policies, in process. Prints the median of R runs after one warm-up.
var instances = Arg("--instances", 10_000);
var policyCount = Arg("--policies", 20);
var runs = Arg("--runs", 7);
var now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
var scope = new CloudScope("123456789012", "us-east-1");
var random = new Random(7);
var fleet = Enumerable.Range(0, instances).Select(i =>
{
    var tags = new Dictionary<string, string> { ["Name"] = $"web-{i:D5}", ["env"] = i % 2 == 0 ? "prod" : "dev" };
    if (i % 5 != 0)
    {
        tags["Owner"] = "team-" + (i % 17);
    }

    return new ComplianceResource(ResourceType.Instance, scope, $"i-{i:x17}", tags["Name"], tags, new Dictionary<string, object>
    {
        [ResourceFields.State] = i % 9 == 0 ? "stopped" : "running",
        [ResourceFields.LaunchTime] = now.AddDays(-random.Next(0, 700)),
        [ResourceFields.StoppedSince] = now.AddDays(-random.Next(0, 90)),
        [ResourceFields.ImageCreationTime] = now.AddDays(-random.Next(0, 900)),
        [ResourceFields.ImdsV2Required] = i % 3 != 0,
        [ResourceFields.DetailedMonitoring] = i % 4 != 0,
        [ResourceFields.TerminationProtection] = i % 6 != 0,
        [ResourceFields.InstanceType] = "t3.micro",
    });
}).ToList();
var instancePolicies = BuiltInPolicies.All.Where(p => p.Resource == ResourceType.Instance).ToList();
var policies = Enumerable.Range(0, policyCount).Select(i => instancePolicies[i % instancePolicies.Count] with { Id = $"{instancePolicies[i % instancePolicies.Count].Id}-{i}" }).ToList();
var inventory = new ComplianceInventory(fleet, [scope]);
var context = new EvaluationContext(now, ["Owner"]);

PolicyEvaluator.Evaluate(policies, inventory, context); // warm-up (JIT)
var wall = new List<double>();
var cpu = new List<double>();
var violations = 0;
for (var r = 0; r < runs; r++)
{
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    violations = PolicyEvaluator.Evaluate(policies, inventory, context).Violations.Count;
    watch.Stop();
    wall.Add(watch.Elapsed.TotalMilliseconds);
    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"evaluate: {instances} instances x {policyCount} policies = {instances * policyCount} checks, {violations} violations; wall median {Median(wall):F1} ms (max {wall.Max():F1}), CPU median {Median(cpu):F1} ms over {runs} runs"));

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

int Arg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
