using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Services;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs;
using PortalOps.Jobs.Persistence;
using PortalOps.Web.Security;
using ManagedInstancesPage = PortalOps.Web.Components.Pages.Patching.ManagedInstances;

namespace PortalOps.Bench.Web;

/// <summary>
/// The Managed instances page (<c>/patching</c>) over 10,000 stored patch states: the real page and the real store
/// (<see cref="EfPatchStateStore"/> on SQLite, filtered, counted and paged in SQL) in a circuit-like renderer, measuring the server
/// side of opening the page and of each interaction until the grid has rendered its page.
/// </summary>
internal static class PatchingPage
{
    public static async Task RunAsync(string[] args)
    {
        var count = Arg(args, "--instances", 10_000);
        var runs = Arg(args, "--pages", 200);
        var directory = Directory.CreateTempSubdirectory("portalops-bench-patching-").FullName;
        try
        {
            var database = PortalDatabase.Sqlite(directory);
            var contexts = new PortalDbContextFactory(database);
            await using (var migrate = new ServiceCollection().AddSingleton(database).AddSingleton<IDbContextFactory<PortalDbContext>>(contexts).BuildServiceProvider())
            {
                await migrate.MigrateDatabaseAsync();
            }

            var store = new CountingStates(new EfPatchStateStore(contexts, TimeProvider.System));
            var now = DateTimeOffset.UtcNow;
            var seeded = Stopwatch.StartNew();
            foreach (var chunk in States(count, now).Chunk(1000))
            {
                await store.UpsertAsync(chunk);
            }

            Console.WriteLine($"Stored {count:N0} patch states in SQLite in {seeded.Elapsed.TotalSeconds:0.0} s; .NET {Environment.Version}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

            var user = new PortalUser(Guid.NewGuid(), "bench", "Bench", Role.Viewer, [Scope.Everything], now);
            var principal = PortalClaims.Create(user, "local", now);
            var services = new ServiceCollection();
            services.AddMudServices();
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton<IJSRuntime, NoBrowser>();
            services.AddSingleton<IPatchStateStore>(store);
            services.AddSingleton<IUserStore>(new BenchUsers(user));
            services.AddScoped<CurrentActor>();
            services.AddScoped<AuthenticationStateProvider>(_ => new FixedAuthentication(principal));
            services.AddScoped<NavigationManager, FixedNavigation>();
            services.AddScoped<PatchActivator>();
            services.AddScoped<IComponentActivator>(sp => sp.GetRequiredService<PatchActivator>());
            await using var root = services.BuildServiceProvider();

            var opens = new List<(double Wall, double Cpu)>();
            for (var i = 0; i < 30; i++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await using var opened = await OpenAsync(root, store);
                var elapsed = (watch.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
                if (i >= 5)
                {
                    opens.Add(elapsed); // the first few warm up JIT and the SQLite connection pool
                }
            }

            await using var circuit = await OpenAsync(root, store);
            var grid = circuit.Activator.Grid!;
            var search = circuit.Activator.Search!;
            var agent = circuit.Activator.Agent!;
            for (var i = 0; i < 40; i++)
            {
                await TimeAsync(circuit, store, () => { grid.NavigateTo(i % 50 == 49 ? Page.First : Page.Next); return Task.CompletedTask; });
            }

            var results = new List<(string Name, List<(double Wall, double Cpu)> Times)> { ($"open the page (first 25 rows of {count:N0}, count in SQL)", opens) };
            foreach (var size in new[] { 25, 100 })
            {
                await circuit.Renderer.Dispatcher.InvokeAsync(() => grid.SetRowsPerPageAsync(size));
                results.Add(($"next page, {size} rows", await RepeatAsync(runs, i => { grid.NavigateTo(i % 50 == 49 ? Page.First : Page.Next); return Task.CompletedTask; })));
            }

            await circuit.Renderer.Dispatcher.InvokeAsync(() => grid.SetRowsPerPageAsync(25));
            results.Add(("agent filter (offline / all), 25 rows", await RepeatAsync(runs / 2, i => agent.ValueChanged.InvokeAsync(i % 2 == 0 ? "offline" : "all"))));
            string[] terms = ["patch-01", "i-0", "web", "eu-west", "7", "no-such"];
            results.Add(("text filter, 25 rows", await RepeatAsync(runs / 2, i => search.ValueChanged.InvokeAsync(terms[i % terms.Length]))));

            Console.WriteLine();
            Console.WriteLine($"| Managed instances page, {count:N0} patch states (SQLite) | runs | wall p50 ms | wall p95 ms | CPU p50 ms | CPU p95 ms |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (name, times) in results)
            {
                var wall = times.Select(t => t.Wall).Order().ToList();
                var cpu = times.Select(t => t.Cpu).Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {times.Count} | {Percentile(wall, 0.5):0.0} | {Percentile(wall, 0.95):0.0} | {Percentile(cpu, 0.5):0.0} | {Percentile(cpu, 0.95):0.0} |"));
            }

            Console.WriteLine($"rows rendered per page at most: {circuit.Activator.Grid!.RowsPerPage}; the circuit holds one page, never the {count:N0}");

            async Task<List<(double, double)>> RepeatAsync(int n, Func<int, Task> interact)
            {
                var times = new List<(double, double)>();
                for (var i = 0; i < n; i++)
                {
                    var k = i;
                    times.Add(await TimeAsync(circuit, store, () => interact(k)));
                }

                return times;
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A fleet's patch states: four regions, one agent in twelve lost, one in twenty-five never registered, severities spread.</summary>
    private static IEnumerable<InstancePatchState> States(int count, DateTimeOffset now)
    {
        string[] regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];
        string[] envs = ["prod", "staging", "dev"];
        for (var n = 0; n < count; n++)
        {
            var instance = new InstanceRef("123456789012", regions[n % 4], $"i-{n:x17}");
            var tags = new Dictionary<string, string> { ["Name"] = $"patch-{n:D5}", ["env"] = envs[n % 3] };
            var ping = n % 12 == 5 ? AgentPing.ConnectionLost : n % 25 == 7 ? AgentPing.NotManaged : AgentPing.Online;
            var agent = ping == AgentPing.Online
                ? new AgentStatus(instance, ping, "Amazon Linux", "3.3.40.0", now.AddMinutes(-3), null, null)
                : new AgentStatus(instance, ping, null, null, null, "The agent has lost its connection.", AgentStatus.InstanceProfileFix);
            yield return new InstancePatchState(instance, $"patch-{n:D5}", Footprint.Of(instance.AccountId, instance.Region, tags), envs[n % 3], agent)
            {
                Installed = 40 + n % 30, Missing = n % 7, CriticalNonCompliant = n % 11 == 0 ? 1 : 0, SecurityNonCompliant = n % 5 == 0 ? 2 : 0, OtherNonCompliant = n % 7 > 3 ? 1 : 0,
                InstalledPendingReboot = n % 9 == 0 ? 1 : 0, LastScanAt = ping == AgentPing.Online ? now.AddHours(-2) : null, UpdatedAt = now,
            };
        }
    }

    private static async Task<PatchCircuit> OpenAsync(IServiceProvider root, CountingStates store)
    {
        var scope = root.CreateAsyncScope();
        var renderer = new CircuitRenderer(scope.ServiceProvider, NullLoggerFactory.Instance);
        var queries = store.Queries;
        await renderer.OpenAsync(new PatchingRoot());
        var watch = Stopwatch.StartNew();
        while (store.Queries == queries && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(1);
        }

        await renderer.Dispatcher.InvokeAsync(() => { });
        return new PatchCircuit(scope, renderer, scope.ServiceProvider.GetRequiredService<PatchActivator>());
    }

    private static async Task<(double Wall, double Cpu)> TimeAsync(PatchCircuit circuit, CountingStates store, Func<Task> interact)
    {
        var queries = store.Queries;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await circuit.Renderer.Dispatcher.InvokeAsync(interact);
        while (store.Queries == queries)
        {
            await Task.Delay(1);
        }

        await circuit.Renderer.Dispatcher.InvokeAsync(() => { });
        return (watch.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record PatchCircuit(AsyncServiceScope Scope, CircuitRenderer Renderer, PatchActivator Activator) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Renderer.DisposeAsync();
            await Scope.DisposeAsync();
        }
    }

    /// <summary>MudBlazor's providers and the Managed instances page.</summary>
    private sealed class PatchingRoot : ComponentBase
    {
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
            builder.OpenComponent<ManagedInstancesPage>(3);
            builder.CloseComponent();
        }
    }

    /// <summary>Creates components as Blazor does and keeps the grid, the search box and the agent filter.</summary>
    private sealed class PatchActivator : IComponentActivator
    {
        public MudDataGrid<InstancePatchState>? Grid { get; private set; }

        public MudTextField<string>? Search { get; private set; }

        public MudSelect<string>? Agent { get; private set; }

        public IComponent CreateInstance(Type componentType)
        {
            var component = (IComponent)Activator.CreateInstance(componentType)!;
            switch (component)
            {
                case MudDataGrid<InstancePatchState> grid:
                    Grid = grid;
                    break;
                case MudTextField<string> text when Search is null:
                    Search = text;
                    break;
                case MudSelect<string> select when Agent is null:
                    Agent = select;
                    break;
            }

            return component;
        }
    }

    /// <summary>The store, counting page queries so the benchmark knows when the grid has asked for (and rendered) its page.</summary>
    private sealed class CountingStates(IPatchStateStore inner) : IPatchStateStore
    {
        private int _queries;

        public int Queries => Volatile.Read(ref _queries);

        public async Task<Page<InstancePatchState>> QueryAsync(PatchStateQuery query, CancellationToken cancellationToken = default)
        {
            var page = await inner.QueryAsync(query, cancellationToken);
            Interlocked.Increment(ref _queries);
            return page;
        }

        public Task UpsertAsync(IReadOnlyList<InstancePatchState> states, CancellationToken cancellationToken = default) => inner.UpsertAsync(states, cancellationToken);

        public Task<IReadOnlyList<InstancePatchState>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) => inner.ListAsync(scope, cancellationToken);

        public Task RecordTrendAsync(IReadOnlyList<PatchComplianceSnapshot> snapshots, CancellationToken cancellationToken = default) => inner.RecordTrendAsync(snapshots, cancellationToken);

        public Task<IReadOnlyList<PatchComplianceSnapshot>> TrendAsync(ReadScope scope, DateOnly from, CancellationToken cancellationToken = default) => inner.TrendAsync(scope, from, cancellationToken);

        public Task<bool> TryClaimScanAsync(CloudScope scope, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken = default) =>
            inner.TryClaimScanAsync(scope, now, interval, cancellationToken);
    }
}
