using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Services;
using PortalOps.Bench.Web;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;
using PortalOps.Web.Security;

// Usage: dotnet run -c Release --project bench/PortalOps.Bench.Web [-- --instances 10000 --pages 200 --circuits 50]
// Renders the real Instances page (MudDataGrid, server-side paging) in circuits made of what Blazor Server keeps per circuit
// (a DI scope and a renderer), over the Sandbox's in-memory inventory, and measures the server side of each interaction.
if (args.Contains("--patching"))
{
    // dotnet run -c Release --project bench/PortalOps.Bench.Web -- --patching [--instances 10000 --pages 200]
    await PatchingPage.RunAsync(args);
    return;
}

var instances = Arg("--instances", 10_000);
var pages = Arg("--pages", 200);
var circuits = Arg("--circuits", 50);

var events = new FleetEvents();
using var cloud = new SandboxCloud(Options.Create(new SandboxOptions { InstanceCount = instances }), TimeProvider.System, events);
var inventory = new CountingInventory(cloud);
var user = new PortalUser(Guid.NewGuid(), "bench", "Bench", args.Contains("--viewer") ? Role.Viewer : Role.Operator, [Scope.Everything], DateTimeOffset.UtcNow);
var principal = PortalClaims.Create(user, "local", DateTimeOffset.UtcNow);

var services = new ServiceCollection();
services.AddMudServices();
services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
services.AddSingleton(TimeProvider.System);
services.AddSingleton<IJSRuntime, NoBrowser>();
services.AddSingleton<IInventory>(inventory);
services.AddSingleton<ICloudProvider>(cloud);
services.AddSingleton<IFleetEvents>(events);
services.AddSingleton<IUserStore>(new BenchUsers(user));
services.AddSingleton<IApprovalStore>(NoStores.Instance);
services.AddSingleton<IAuditLog>(NoStores.Instance);
services.AddSingleton<INotifier>(NoStores.Instance);
services.AddSingleton<IActionScheduler>(NoStores.Instance);
services.AddSingleton<IApprovalPolicyProvider>(NoStores.Instance);
services.AddSingleton<IActionLedger>(NoStores.Instance);
services.AddScoped<IActionExecutor, InstanceActionExecutor>();
services.AddSingleton<ICompute>(cloud);
services.AddScoped<ActionPipeline>();
services.AddScoped<CurrentActor>();
services.AddScoped<AuthenticationStateProvider>(_ => new FixedAuthentication(principal));
services.AddScoped<NavigationManager, FixedNavigation>();
services.AddScoped<RecordingActivator>();
services.AddScoped<IComponentActivator>(sp => sp.GetRequiredService<RecordingActivator>());
using var root = services.BuildServiceProvider();

Console.WriteLine($"Fleet: {(await cloud.SummarizeAsync()).Total} instances in {cloud.Accounts[0].Regions.Count} regions; .NET {Environment.Version}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

var queryTimes = new List<double>();
for (var i = 0; i < pages; i++)
{
    var watch = Stopwatch.StartNew();
    await cloud.QueryAsync(new InstanceQuery { PageIndex = i % 50, PageSize = 25 });
    queryTimes.Add(watch.Elapsed.TotalMilliseconds);
}

queryTimes.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Inventory query alone (filter, sort and page {instances}): p50 {Percentile(queryTimes, 0.5):0.0} ms, p95 {Percentile(queryTimes, 0.95):0.0} ms"));

// ---- server time per interaction, in one circuit ----
{
    var circuit = await OpenCircuitAsync();
    var grid = circuit.Activator.Grid!;
    var search = circuit.Activator.Search!;
    string[] warmTerms = ["dev", "api", "m5", "10.10."];
    for (var i = 0; i < 60; i++)
    {
        await TimeAsync(circuit, () => Navigate(grid, i));
        await TimeAsync(circuit, () => grid.SetSortAsync(nameof(Instance.Name), i % 2 == 0 ? SortDirection.Descending : SortDirection.Ascending, x => x.Name));
        await TimeAsync(circuit, () => search.ValueChanged.InvokeAsync(warmTerms[i % warmTerms.Length]));
    }

    await TimeAsync(circuit, () => search.ValueChanged.InvokeAsync(string.Empty));
    var rows = new[] { ("next page, 25 rows", 25), ("next page, 100 rows", 100) };
    var results = new List<(string Name, List<double> Wall, List<double> Cpu)>();
    foreach (var (name, size) in rows)
    {
        await circuit.Renderer.Dispatcher.InvokeAsync(() => grid.SetRowsPerPageAsync(size));
        results.Add(await MeasureAsync(name, pages, i => Navigate(grid, i)));
    }

    await circuit.Renderer.Dispatcher.InvokeAsync(() => grid.SetRowsPerPageAsync(25));
    results.Add(await MeasureAsync("sort by launch time, 25 rows", pages / 2, i => grid.SetSortAsync(nameof(Instance.LaunchTime), i % 2 == 0 ? SortDirection.Descending : SortDirection.Ascending, x => x.LaunchTime)));
    string[] terms = ["prod", "web", "t3.medium", "10.20.", "payments", "i-1"];
    results.Add(await MeasureAsync("text filter, 25 rows", pages / 2, i => search.ValueChanged.InvokeAsync(terms[i % terms.Length])));

    Console.WriteLine();
    Console.WriteLine("| interaction (10,000 instances) | runs | wall p50 ms | wall p95 ms | CPU p50 ms | CPU p95 ms |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (var (name, wall, cpu) in results)
    {
        wall.Sort();
        cpu.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {wall.Count} | {Percentile(wall, 0.5):0.0} | {Percentile(wall, 0.95):0.0} | {Percentile(cpu, 0.5):0.0} | {Percentile(cpu, 0.95):0.0} |"));
    }

    async Task<(string, List<double>, List<double>)> MeasureAsync(string name, int runs, Func<int, Task> interact)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var n = i;
            var (w, c) = await TimeAsync(circuit, () => interact(n));
            wall.Add(w);
            cpu.Add(c);
        }

        return (name, wall, cpu);
    }

    await circuit.DisposeAsync();
}

// ---- memory per circuit ----
for (var i = 0; i < 3; i++)
{
    await (await OpenCircuitAsync()).DisposeAsync();
}

var empty = new List<Circuit>(circuits);
var beforeEmpty = Settle();
for (var i = 0; i < circuits; i++)
{
    empty.Add(await OpenCircuitAsync(providersOnly: true));
}

var afterEmpty = Settle();
foreach (var circuit in empty)
{
    await circuit.DisposeAsync();
}

var before = Settle();
var open = new List<Circuit>(circuits);
var filterAll = args.Contains("--no-rows");
for (var i = 0; i < circuits; i++)
{
    var circuit = await OpenCircuitAsync();
    if (filterAll)
    {
        await TimeAsync(circuit, () => circuit.Activator.Search!.ValueChanged.InvokeAsync("no-such-instance"));
    }

    open.Add(circuit);
}

var after = Settle();
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Memory per circuit with the Instances page open (DI scope, renderer, component tree, one page of 25 rows): {(after - before) / 1024.0 / circuits:0} KiB ({circuits} circuits, {(after - before) / 1024.0 / 1024.0:0.0} MiB in all)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  of which a circuit with only MudBlazor's providers (scope and renderer, no page): {(afterEmpty - beforeEmpty) / 1024.0 / circuits:0} KiB; the page itself: {((after - before) - (afterEmpty - beforeEmpty)) / 1024.0 / circuits:0} KiB"));
foreach (var circuit in open)
{
    await circuit.DisposeAsync();
}

return;

static Task Navigate(MudDataGrid<Instance> grid, int i)
{
    grid.NavigateTo(i % 50 == 49 ? Page.First : Page.Next);
    return Task.CompletedTask;
}

async Task<Circuit> OpenCircuitAsync(bool providersOnly = false)
{
    var scope = root.CreateAsyncScope();
    var renderer = new CircuitRenderer(scope.ServiceProvider, NullLoggerFactory.Instance);
    var queries = inventory.Queries;
    await renderer.OpenAsync(new PageRoot(providersOnly));
    var watch = Stopwatch.StartNew();
    while (!providersOnly && inventory.Queries == queries && watch.Elapsed < TimeSpan.FromSeconds(10))
    {
        await Task.Delay(1);
    }

    await renderer.Dispatcher.InvokeAsync(() => { });
    return new Circuit(scope, renderer, scope.ServiceProvider.GetRequiredService<RecordingActivator>());
}

// Wall time and process CPU time from the interaction until the grid has its page and the renderer has rendered it.
async Task<(double Wall, double Cpu)> TimeAsync(Circuit circuit, Func<Task> interact)
{
    var queries = inventory.Queries;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    await circuit.Renderer.Dispatcher.InvokeAsync(interact);
    while (inventory.Queries == queries)
    {
        await Task.Delay(1);
    }

    await circuit.Renderer.Dispatcher.InvokeAsync(() => { });
    return (watch.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
}

static long Settle()
{
    for (var i = 0; i < 3; i++)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    return GC.GetTotalMemory(forceFullCollection: true);
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Circuit(AsyncServiceScope Scope, CircuitRenderer Renderer, RecordingActivator Activator) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Renderer.DisposeAsync();
        await Scope.DisposeAsync();
    }
}
