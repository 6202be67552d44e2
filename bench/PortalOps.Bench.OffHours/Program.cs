using System.Diagnostics;
using System.Globalization;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.OffHours [-- --instances 10000 --groups 200 --schedules 20 --runs 20]
// Plans one scheduler tick (OffHoursPlanner.Plan: schedule lookup, last edge per schedule, overrides, records, stay-stopped, running-time
// limits, drift) over a fleet where every instance and group carries a schedule tag, 5 % are kept running by an override and a third
// of the instances fall under a running-time limit. Two moments: a stop edge (every running resource gets a step) and the tick after
// it (every step is recorded, so nothing is planned). Figures: median and worst wall time per tick over the runs, after a warm-up,
// and the steps planned. The reads (inventory, groups, records) are not included: they come from the inventory snapshot and one
// query each.
var instances = Arg("--instances", 10_000);
var groupCount = Arg("--groups", 200);
var scheduleCount = Arg("--schedules", 20);
var runs = Arg("--runs", 20);
var zones = new[] { "Europe/Berlin", "Europe/Dublin", "America/New_York", "Asia/Tokyo", "UTC" };
var settings = new OffHoursSettings { RunningLimits = [new RunningLimit("env", "dev", 8)] };
var planner = new OffHoursPlanner(settings);
var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
var schedules = Enumerable.Range(0, scheduleCount).Select(i => new SavedSchedule(Guid.CreateVersion7(created), 1,
    new ScheduleContent($"s{i:00}", "Europe/Berlin",
        ScheduleDraft.Week.Take(5).Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(),
        [new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 26)]), Guid.Empty, "bench", created)).ToList();
var edge = new DateTimeOffset(2026, 3, 23, 18, 0, 30, TimeSpan.Zero); // Monday 19:00:30 in Berlin
var subjects = new List<ScheduleSubject>(instances + groupCount);
for (var n = 0; n < instances; n++)
{
    var tags = new Dictionary<string, string> { ["Schedule"] = $"s{n % scheduleCount:00}", ["env"] = n % 3 == 0 ? "dev" : "prod", ["Name"] = $"vm-{n}" };
    var instance = new Instance(new InstanceRef("123456789012", n % 2 == 0 ? "eu-west-1" : "us-east-1", $"i-{n:x17}"), $"vm-{n}", "m5.large",
        n % 10 == 0 ? InstanceState.Stopped : InstanceState.Running, "eu-west-1a", "Linux/UNIX", edge.AddHours(-(n % 7) - 1), tags, []);
    subjects.Add(ScheduleSubject.Of(instance)!);
}

for (var n = 0; n < groupCount; n++)
{
    var group = new ScalingGroup(new GroupRef("123456789012", "eu-west-1", $"g-{n}"), 1, 2, 4, [], null, null, ["eu-west-1a"], [],
        new Dictionary<string, string> { ["Schedule"] = $"s{n % scheduleCount:00}" }, null);
    subjects.Add(ScheduleSubject.Of(group));
}

var overrides = subjects.Where((_, i) => i % 20 == 0)
    .Select(s => new ScheduleOverride(Guid.NewGuid(), s.Resource, edge.AddHours(2), Guid.Empty, "bench", null, edge.AddHours(-1))).ToList();
var atEdge = planner.Plan(edge, schedules, subjects, overrides, []);
var records = atEdge.Steps.Select(s => new EdgeRecord(s.Key, s.Schedule?.Id, s.SourceName, s.Subject.Resource, s.At, s.Action, s.RecordOnly ?? EdgeOutcome.Done, s.Why, edge)).ToList();
var after = planner.Plan(edge.AddMinutes(1), schedules, subjects, overrides, records);

Measure("stop edge (every running resource gets a step)", () => planner.Plan(edge, schedules, subjects, overrides, []).Steps.Count);
Measure("the tick after (every step recorded)", () => planner.Plan(edge.AddMinutes(1), schedules, subjects, overrides, records).Steps.Count);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"steps at the edge: {atEdge.Steps.Count} ({atEdge.Steps.Count(s => s.RecordOnly is null)} actions), after: {after.Steps.Count}; drift after: {after.Drift.Count}; records: {records.Count}"));

void Measure(string what, Func<int> tick)
{
    for (var i = 0; i < 3; i++)
    {
        tick();
    }

    var times = new List<double>();
    var steps = 0;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        steps = tick();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / runs;
    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: {subjects.Count} resources, median {times[times.Count / 2]:0.0} ms, worst {times[^1]:0.0} ms, CPU {used:0.0} ms per tick, {steps} step(s)"));
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
