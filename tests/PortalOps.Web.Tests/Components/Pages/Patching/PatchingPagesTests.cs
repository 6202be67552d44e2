using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Patching;

namespace PortalOps.Web.Tests.Components.Pages.Patching;

public sealed class PatchingPagesTests : PortalTestContext
{
    private const string Prod = "123456789012";
    private const string Dev = "210987654321";
    private readonly MemoryPatchStates _states = new();

    public PatchingPagesTests()
    {
        var now = Start;
        for (var n = 0; n < 60; n++)
        {
            var instance = new InstanceRef(Prod, "eu-west-1", $"i-{n:000}");
            var managed = n % 10 == 3 ? null : new ManagedInstance(instance.InstanceId, "Online", "Amazon Linux", "3.3.40.0", now);
            var full = new Instance(instance, $"web-{n:000}", "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX", now, new Dictionary<string, string> { ["env"] = "prod" }, []);
            _states.All.Add(new InstancePatchState(instance, full.Name, Footprint.Of(Prod, "eu-west-1", full.Tags), "prod", AgentStatus.Of(full, managed, now))
            {
                CriticalNonCompliant = n % 4 == 0 ? 1 : 0, Missing = n % 4 == 0 ? 1 : 0, LastScanAt = now.AddHours(-2),
            });
        }

        Services.AddSingleton<IPatchStateStore>(_states);
        Services.AddSingleton<IPatchComplianceSummary>(_states);
    }

    [Fact]
    public void ManagedInstances_ViewerOfAnotherScope_SeesNothing()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var page = RenderPage<ManagedInstances>();

        page.WaitForAssertion(() => Assert.Contains("No patch state to show", page.Find("[data-testid=patch-grid]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("web-0", page.Markup, StringComparison.Ordinal);
        Assert.All(_states.Asked, q => Assert.False(q.Scope.Covers(Footprint.Of(Prod, "eu-west-1", null))));
    }

    [Fact]
    public void ManagedInstances_PagedOnTheServer_OfflineFilterShowsReasonAndFix()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<ManagedInstances>();

        page.WaitForAssertion(() => Assert.Contains("web-000", page.Find("[data-testid=patch-grid]").TextContent, StringComparison.Ordinal));
        Assert.Equal(25, page.FindAll("[data-testid=patch-grid] tbody tr").Count);
        Assert.All(_states.Asked, q => Assert.True(q.PageSize <= 100));

        _states.Asked.Clear();
        page.Find("[data-testid=patch-grid] tbody tr:nth-child(4)").Click();
        page.WaitForAssertion(() => Assert.Contains("AmazonSSMManagedInstanceCore", page.Find("[data-testid=agent-fix]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void ManagedInstances_CsvLink_CarriesTheCurrentFilters()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<ManagedInstances>();
        page.WaitForAssertion(() => Assert.Contains("web-000", page.Find("[data-testid=patch-grid]").TextContent, StringComparison.Ordinal));
        Assert.Equal("/patching/instances.csv", page.Find("[data-testid=instances-csv]").GetAttribute("href"));

        var search = page.FindComponents<MudBlazor.MudTextField<string>>()[0];
        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("web 01"));
        var agent = page.FindComponents<MudBlazor.MudSelect<string>>()[0];
        page.InvokeAsync(() => agent.Instance.ValueChanged.InvokeAsync("offline"));
        var compliance = page.FindComponents<MudBlazor.MudSelect<PatchComplianceLevel?>>()[0];
        page.InvokeAsync(() => compliance.Instance.ValueChanged.InvokeAsync(PatchComplianceLevel.NonCompliantCritical));

        page.WaitForAssertion(() => Assert.Equal("/patching/instances.csv?text=web%2001&agent=offline&compliance=NonCompliantCritical",
            page.Find("[data-testid=instances-csv]").GetAttribute("href")));
    }

    [Fact]
    public void Compliance_ViewerOfAnotherScope_SeesNoRows()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var page = RenderPage<PatchCompliancePage>();
        page.WaitForAssertion(() => Assert.Contains("No patch state to summarize", page.Find("[data-testid=compliance-table]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Compliance_ViewerOfTheScope_SeesItsGroup()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var prod = RenderPage<PatchCompliancePage>();
        prod.WaitForAssertion(() => Assert.Contains("prod", prod.Find("[data-testid=compliance-table]").TextContent, StringComparison.Ordinal));
    }

    private sealed class MemoryPatchStates : IPatchStateStore, IPatchComplianceSummary
    {
        public List<InstancePatchState> All { get; } = [];

        public List<PatchStateQuery> Asked { get; } = [];

        public Task UpsertAsync(IReadOnlyList<InstancePatchState> states, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<Page<InstancePatchState>> QueryAsync(PatchStateQuery query, CancellationToken cancellationToken = default)
        {
            Asked.Add(query);
            var rows = All.Where(s => query.Scope.Covers(s.Footprint) && (query.AgentOnline is not { } on || s.Agent.IsOnline == on)).ToList();
            return Task.FromResult(new Page<InstancePatchState>(rows.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), rows.Count, query.PageIndex, query.PageSize));
        }

        public Task<IReadOnlyList<InstancePatchState>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<InstancePatchState>>(All.Where(s => scope.Covers(s.Footprint)).ToList());

        public Task RecordTrendAsync(IReadOnlyList<PatchComplianceSnapshot> snapshots, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<PatchComplianceSnapshot>> TrendAsync(ReadScope scope, DateOnly from, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<PatchComplianceSnapshot>>([]);

        public Task<bool> TryClaimScanAsync(CloudScope scope, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken = default) => Task.FromResult(true);

        public async Task<IReadOnlyList<PatchComplianceRow>> SummarizeAsync(ReadScope scope, PatchComplianceDimension by, CancellationToken cancellationToken = default) =>
            PatchCompliance.Summarize(await ListAsync(scope, cancellationToken), by, Start);
    }
}
