using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Compliance;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

public sealed class ComplianceOverviewTests : PortalTestContext
{
    private static readonly CloudScope Prod = new("111111111111", "eu-west-1");
    private readonly MemoryFindings _findings = new();

    public ComplianceOverviewTests()
    {
        Services.AddSingleton<IFindingStore>(_findings);
        var policy = new Policy("volume-unencrypted", "Unencrypted", ResourceType.Volume, Domain.Compliance.Severity.Medium, "",
            [new FieldFilter(ResourceFields.Encrypted, FieldOperator.Equals, [false])]);
        var volume = new ComplianceResource(ResourceType.Volume, Prod, "vol-0abc", "db-data", new Dictionary<string, string> { ["Owner"] = "ana" },
            new Dictionary<string, object> { [ResourceFields.Encrypted] = false });
        _findings.Items.Add(Finding.Open(new Violation(policy, volume, "encrypted is false"), Start));
        _findings.Scans.Add(new ScanSummary(Guid.NewGuid(), Start, [new PolicyTally(policy.Id, Prod, 4, 1)], []));
    }

    [Fact]
    public void Overview_ViewerOfTheScope_SeesScoreTrendAndFindingsWithCsvLink()
    {
        SignIn("vera", Role.Viewer, new Scope("111111111111", "*"));

        var page = RenderPage<ComplianceOverview>();

        page.WaitForAssertion(() => Assert.Equal("75.0%", page.Find("[data-testid=compliance-score]").TextContent));
        page.WaitForAssertion(() => Assert.Contains("vol-0abc", page.Find("[data-testid=finding-resource]").TextContent, StringComparison.Ordinal));
        Assert.Contains("111111111111/eu-west-1", page.Find("[data-testid=compliance-by-scope]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/compliance/findings.csv?status=Open", page.Find("[data-testid=findings-csv]").GetAttribute("href"));
        Assert.Equal("/compliance/report.pdf", page.Find("[data-testid=compliance-pdf]").GetAttribute("href"));
    }

    [Fact]
    public void Overview_ViewerOfAnotherScope_SeesNothing()
    {
        SignIn("otto", Role.Viewer, new Scope("222222222222", "*"));

        var page = RenderPage<ComplianceOverview>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=findings-none]")));
        Assert.NotNull(page.Find("[data-testid=compliance-no-scan]"));
        Assert.DoesNotContain("vol-0abc", page.Markup, StringComparison.Ordinal);
    }

    /// <summary>Findings in memory, scoped the way the database store scopes them (ReadScope.Covers on the footprint).</summary>
    private sealed class MemoryFindings : IFindingStore
    {
        public List<Finding> Items { get; } = [];

        public List<ScanSummary> Scans { get; } = [];

        public Task<IReadOnlyList<Finding>> ForPoliciesAsync(IReadOnlyCollection<string> policyIds, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<Finding>>(Items.Where(f => policyIds.Contains(f.PolicyId)).ToList());

        public Task<IReadOnlyList<Finding>> UnresolvedAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<Finding>>(Items.Where(f => f.Status != FindingStatus.Resolved).ToList());

        public Task SaveAsync(IReadOnlyCollection<Finding> added, IReadOnlyCollection<Finding> changed, CancellationToken cancellationToken = default)
        {
            Items.AddRange(added);
            return Task.CompletedTask;
        }

        public Task<Page<Finding>> QueryAsync(FindingQuery query, CancellationToken cancellationToken = default)
        {
            var visible = Items.Where(f => query.VisibleTo is null || query.VisibleTo.Covers(f.Footprint))
                .Where(f => query.Status is null || f.Status == query.Status).ToList();
            return Task.FromResult(new Page<Finding>(visible.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), visible.Count, query.PageIndex, query.PageSize));
        }

        public Task<Finding?> FindAsync(Guid id, ReadScope visibleTo, CancellationToken cancellationToken = default) =>
            Task.FromResult(Items.FirstOrDefault(f => f.Id == id && visibleTo.Covers(f.Footprint)));

        public Task AddScanAsync(ScanSummary scan, CancellationToken cancellationToken = default)
        {
            Scans.Add(scan);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ScanSummary>> ScansAsync(DateTimeOffset since, ReadScope visibleTo, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ScanSummary>>(Scans.Where(s => s.At >= since)
                .Select(s => s with { Tallies = s.Tallies.Where(t => visibleTo.Covers(Footprint.Of(t.Scope.AccountId, t.Scope.Region, null))).ToList() }).ToList());
    }
}
