using Microsoft.Extensions.Options;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Fixtures;
using PortalOps.Jobs.Tests.Persistence;

namespace PortalOps.Jobs.Tests.Compliance;

/// <summary>The scan over the sandbox account, stored in a real database: lifecycle, safe twice, scoped reads, exceptions.</summary>
public abstract class ComplianceScanTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private const string Account = "000000000000";

    private (ComplianceScanner Scanner, SandboxCompliance Sandbox, EfFindingStore Findings, EfWaiverStore Waivers, PolicyCatalog Catalog, RecordingNotifier Told) Build()
    {
        var cloud = new SandboxCloud(Options.Create(new SandboxOptions()), Clock, new FleetEvents());
        var sandbox = new SandboxCompliance(cloud);
        var findings = new EfFindingStore(Database.Contexts);
        var waivers = new EfWaiverStore(Database.Contexts);
        var catalog = new PolicyCatalog(new EfPolicyStore(Database.Contexts), sandbox, cloud, new Tags(), Clock);
        var told = new RecordingNotifier();
        return (new ComplianceScanner(sandbox, cloud, catalog, findings, waivers, told, Clock, new Tags()), sandbox, findings, waivers, catalog, told);
    }

    [Fact]
    public async Task Scan_Sandbox_FindsASpreadOfViolationsAndASecondRunChangesNothing()
    {
        var (scanner, _, findings, _, _, told) = Build();

        var first = await scanner.ScanAsync();
        Clock.Advance(TimeSpan.FromHours(6));
        var second = await scanner.ScanAsync();

        Assert.Empty(first.FailedScopes);
        Assert.True(first.New >= 10, $"only {first.New} findings");
        var open = await findings.QueryAsync(new FindingQuery { Status = FindingStatus.Open, PageSize = 500, VisibleTo = new ReadScope([], Everything: true) });
        Assert.True(open.Items.Select(f => f.PolicyId).Distinct().Count() >= 8, string.Join(", ", open.Items.Select(f => f.PolicyId).Distinct()));
        Assert.Equal((0, 0, 0), (second.New, second.Reopened, second.Resolved));
        Assert.Equal(first.Violations, second.Violations);
        Assert.All(open.Items, f => Assert.Equal(Clock.GetUtcNow(), f.LastSeen));
        Assert.NotEmpty(Assert.Single(told.Calls).High);
        var trend = await findings.ScansAsync(Builders.Epoch.AddDays(-30), new ReadScope([], Everything: true));
        Assert.Equal(2, trend.Count);
    }

    [Fact]
    public async Task Findings_ViewerOfAnotherScope_SeesNothingAndRegionViewerSeesOnlyTheirRegion()
    {
        var (scanner, _, findings, _, _, _) = Build();
        await scanner.ScanAsync();

        var other = await findings.QueryAsync(new FindingQuery { PageSize = 500, VisibleTo = new ReadScope([new Scope("111111111111", "*")]) });
        var west = await findings.QueryAsync(new FindingQuery { PageSize = 500, VisibleTo = new ReadScope([new Scope(Account, "eu-west-1")]) });
        var any = (await findings.QueryAsync(new FindingQuery { PageSize = 1, VisibleTo = new ReadScope([], Everything: true) })).Items[0];

        Assert.Equal(0, other.TotalCount);
        Assert.NotEmpty(west.Items);
        Assert.All(west.Items, f => Assert.Equal("eu-west-1", f.Region));
        Assert.Null(await findings.FindAsync(any.Id, new ReadScope([new Scope("111111111111", "*")])));
        Assert.Empty((await findings.ScansAsync(Builders.Epoch.AddDays(-1), new ReadScope([new Scope("111111111111", "*")]))).Single().Tallies);
    }

    [Fact]
    public async Task Scan_AfterTheResourceIsFixed_ResolvesItsFindingAndReopensNothingElse()
    {
        var (scanner, sandbox, findings, _, _, _) = Build();
        await scanner.ScanAsync();
        var everything = new ReadScope([], Everything: true);
        var ssh = (await findings.QueryAsync(new FindingQuery { PolicyId = "sg-ssh-open-to-world", PageSize = 50, VisibleTo = everything })).Items.First();

        sandbox.RevokeWorldOpen(ssh.ResourceId);
        Clock.Advance(TimeSpan.FromHours(1));
        var after = await scanner.ScanAsync();

        Assert.Equal(FindingStatus.Resolved, (await findings.FindAsync(ssh.Id, everything))!.Status);
        Assert.True(after.Resolved >= 1);
        Assert.Equal(0, after.New);
    }

    [Fact]
    public async Task Waiver_ExpiresWithTheClock_ReopensTheFindingAndTellsTheOwnerOnce()
    {
        var (scanner, _, findings, waivers, _, told) = Build();
        await scanner.ScanAsync();
        var everything = new ReadScope([], Everything: true);
        var finding = (await findings.QueryAsync(new FindingQuery { PolicyId = "instance-imdsv1-allowed", PageSize = 1, VisibleTo = everything })).Items[0];
        await waivers.AddAsync(Waiver.Grant(finding.PolicyId, finding.Id, null, null, "vendor agent needs IMDSv1 until its next release", "ana", Clock.GetUtcNow().AddDays(14), "bob", Clock.GetUtcNow()));

        await scanner.ApplyWaiversAsync();
        Assert.Equal(FindingStatus.Waived, (await findings.FindAsync(finding.Id, everything))!.Status);

        Clock.Advance(TimeSpan.FromDays(15));
        await scanner.ApplyWaiversAsync();
        await scanner.ApplyWaiversAsync();

        Assert.Equal(FindingStatus.Open, (await findings.FindAsync(finding.Id, everything))!.Status);
        var expired = Assert.Single(told.Calls.SelectMany(c => c.Expired));
        Assert.Equal(finding.Id, Assert.Single(expired.Reopened).Id);
        Assert.NotNull((await waivers.ListAsync()).Single().ExpiryNotifiedAt);
    }

    [Fact]
    public async Task Catalog_SaveBadThenGoodAndDisable_KeepsVersionsWithAuthorAndTakesThePolicyOutOfForce()
    {
        var (_, _, _, _, catalog, _) = Build();

        var bad = await catalog.SaveAsync("id: big-volumes\ntitle: Big\nresource: volume\nseverity: low\nfilters:\n  - field: size\n    greater-than: 500\n", "ana");
        Assert.Equal(6, Assert.Single(bad.Errors).Line);
        Assert.Empty(await catalog.VersionsAsync("big-volumes"));

        var yaml = "id: big-volumes\ntitle: Big\nresource: volume\nseverity: low\nfilters:\n  - field: size-gib\n    greater-than: 500\n";
        Assert.True((await catalog.SaveAsync(yaml, "ana")).Succeeded);
        Assert.True((await catalog.SaveAsync(yaml.Replace("500", "50", StringComparison.Ordinal), "bob")).Succeeded);
        var versions = await catalog.VersionsAsync("big-volumes");
        Assert.Equal([(2, "bob"), (1, "ana")], versions.Select(v => (v.Version, v.Author)));

        var dry = await catalog.DryRunAsync(yaml.Replace("500", "1", StringComparison.Ordinal));
        Assert.NotEmpty(dry.Matches);
        Assert.True(dry.Evaluated >= dry.Matches.Count);

        await catalog.SetEnabledAsync("sg-any-port-open-to-world", false, "ana");
        var list = await catalog.ListAsync();
        Assert.False(list.Single(e => e.Policy.Id == "sg-any-port-open-to-world").Policy.Enabled);
        Assert.Equal(2, list.Single(e => e.Policy.Id == "big-volumes").Version);
        Assert.Equal(BuiltInPolicies.All.Count + 1, (await catalog.ExportAsync()).Count);
    }

    [Fact]
    public async Task GrantException_RunTwiceWithOneKey_StoresOneExceptionAndExceptsTheFindingAtOnce()
    {
        var (scanner, _, findings, waivers, _, _) = Build();
        await scanner.ScanAsync();
        var everything = new ReadScope([], Everything: true);
        var finding = (await findings.QueryAsync(new FindingQuery { PolicyId = "instance-imdsv1-allowed", PageSize = 1, VisibleTo = everything })).Items[0];
        var executor = new ExceptionGrantExecutor(findings, waivers, scanner, Clock);
        var target = await executor.ResolveAsync(Domain.Actions.ActionKind.GrantException, new InstanceRef(finding.AccountId, finding.Region, finding.ResourceId), CancellationToken.None);
        var parameters = new ExceptionDraft(finding.PolicyId, finding.Id, null, null, "vendor agent", "ana", Clock.GetUtcNow().AddDays(10)).ToParameters("paul");

        var first = await executor.ExecuteAsync(Domain.Actions.ActionKind.GrantException, [target!], parameters, "approval-1", CancellationToken.None);
        var again = await executor.ExecuteAsync(Domain.Actions.ActionKind.GrantException, [target!], parameters, "approval-1", CancellationToken.None);

        Assert.True(first.Succeeded, first.Summary);
        Assert.True(again.Succeeded, again.Summary);
        var waiver = Assert.Single(await waivers.ListAsync());
        Assert.Equal((finding.Id, "ana", "paul"), (waiver.FindingId!.Value, waiver.Owner, waiver.GrantedBy));
        Assert.Equal(FindingStatus.Waived, (await findings.FindAsync(finding.Id, everything))!.Status);
    }

    [Fact]
    public async Task GrantException_ExpiryPassedWhileTheRequestWaited_IsRefusedAtExecution()
    {
        var (scanner, _, findings, waivers, _, _) = Build();
        await scanner.ScanAsync();
        var everything = new ReadScope([], Everything: true);
        var finding = (await findings.QueryAsync(new FindingQuery { PolicyId = "instance-imdsv1-allowed", PageSize = 1, VisibleTo = everything })).Items[0];
        var executor = new ExceptionGrantExecutor(findings, waivers, scanner, Clock);
        var parameters = new ExceptionDraft(finding.PolicyId, finding.Id, null, null, "vendor agent", "ana", Clock.GetUtcNow().AddHours(2)).ToParameters("paul");
        var target = await executor.ResolveAsync(Domain.Actions.ActionKind.GrantException, new InstanceRef(finding.AccountId, finding.Region, finding.ResourceId), CancellationToken.None);

        Clock.Advance(TimeSpan.FromHours(3));
        var result = await executor.ExecuteAsync(Domain.Actions.ActionKind.GrantException, [target!], parameters, "approval-2", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("must lie in the future", result.Summary, StringComparison.Ordinal);
        Assert.Empty(await waivers.ListAsync());
        Assert.Equal(FindingStatus.Open, (await findings.FindAsync(finding.Id, everything))!.Status);
    }

    private sealed class Tags : ITagGovernance
    {
        public IReadOnlyList<string> RequiredTagKeys { get; } = ["owner"];
    }

    private sealed class RecordingNotifier : IComplianceNotifier
    {
        public List<(IReadOnlyList<Finding> High, IReadOnlyList<(Waiver Waiver, IReadOnlyList<Finding> Reopened)> Expired)> Calls { get; } = [];

        public Task NotifyAsync(IReadOnlyList<Finding> newHighSeverity, IReadOnlyList<(Waiver Waiver, IReadOnlyList<Finding> Reopened)> expired, CancellationToken cancellationToken = default)
        {
            Calls.Add((newHighSeverity, expired));
            return Task.CompletedTask;
        }
    }
}

public sealed class SqliteComplianceScanTests() : ComplianceScanTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresComplianceScanTests() : ComplianceScanTests(DatabaseProvider.Postgres);
