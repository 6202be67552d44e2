using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

/// <summary>
/// The Authorizer's read scopes applied in the database (audit log, alerts, fleet health), on both providers: pages and counts hold
/// only what a scope covers, tag values compare without case, and records that touch no resource are for Admins.
/// </summary>
public abstract class ScopedReadsTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly Dictionary<string, string> Dev = new() { ["env"] = "Dev", ["team"] = "web" };
    private static readonly Dictionary<string, string> Prod = new() { ["env"] = "prod", ["team"] = "web" };

    private static readonly Guid ViewerId = Guid.NewGuid();

    private static Actor Viewer(params string[] scopes) => new(ViewerId, "vera", Role.Viewer, scopes.Select(Scope.Parse).ToList(), Channel.Web);

    private static Actor Admin => new(Guid.NewGuid(), "root", Role.Admin, [Scope.Everything], Channel.Web);

    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private EfAuditLog Log => new(Database.Contexts, Clock, Key);

    private async Task SeedAuditAsync()
    {
        await Log.AppendAsync(Event("dev-eu", Footprint.Of("123456789012", "eu-west-1", Dev)));
        await Log.AppendAsync(Event("prod-eu", Footprint.Of("123456789012", "eu-west-1", Prod)));
        await Log.AppendAsync(Event("dev-us", Footprint.Of("123456789012", "us-east-1", Dev)));
        await Log.AppendAsync(Event("mixed", Footprint.Common([Footprint.Of("123456789012", "eu-west-1", Dev), Footprint.Of("123456789012", "us-east-1", Dev)])));
        await Log.AppendAsync(Event("system", null));
        await Log.AppendAsync(new AuditEvent("vera", ViewerId, Channel.Web, "auth.login", "user:vera", AuditOutcome.Succeeded));
    }

    private static AuditEvent Event(string target, Footprint? where) =>
        new("root", Guid.NewGuid(), Channel.Web, "instances.reboot", target, AuditOutcome.Succeeded) { Where = where };

    private async Task<List<string>> TargetsAsync(Actor actor)
    {
        var page = await Log.QueryAsync(new AuditQuery { VisibleTo = Authorizer.AuditReadScopeOf(actor), PageSize = 100 });
        var streamed = new List<string>();
        await foreach (var r in Log.StreamAsync(new AuditQuery { VisibleTo = Authorizer.AuditReadScopeOf(actor) }))
        {
            streamed.Add(r.Event.Target);
        }

        var paged = page.Items.Select(r => r.Event.Target).Order().ToList();
        Assert.Equal(paged, streamed.Order().ToList());
        Assert.Equal(page.TotalCount, paged.Count);
        return paged;
    }

    [Fact]
    public async Task AuditQuery_RegionAndTagScope_OnlyCoveredRecordsAndOwn()
    {
        await SeedAuditAsync();

        var targets = await TargetsAsync(Viewer("123456789012/eu-west-1/env=dev"));

        Assert.Equal(["dev-eu", "user:vera"], targets);
    }

    [Fact]
    public async Task AuditQuery_AccountWideScope_SeesMixedRecordsButNotSystemOnes()
    {
        await SeedAuditAsync();

        var targets = await TargetsAsync(Viewer("123456789012/*"));

        Assert.Equal(["dev-eu", "dev-us", "mixed", "prod-eu", "user:vera"], targets);
    }

    [Fact]
    public async Task AuditQuery_TagKeyOnlyScopeAndTwoScopes_Combine()
    {
        await SeedAuditAsync();

        var targets = await TargetsAsync(Viewer("*/us-east-1/team", "*/*/env=prod"));

        Assert.Equal(["dev-us", "prod-eu", "user:vera"], targets);
    }

    [Fact]
    public async Task AuditQuery_NoScopes_OnlyOwn_AdminEverything()
    {
        await SeedAuditAsync();

        Assert.Equal(["user:vera"], await TargetsAsync(Viewer()));
        Assert.Equal(6, (await TargetsAsync(Admin)).Count);
    }

    [Fact]
    public async Task AuditRecord_Footprint_RoundTripsOutsideTheHash()
    {
        await Log.AppendAsync(Event("dev-eu", Footprint.Of("123456789012", "eu-west-1", Dev)));

        var stored = (await Log.QueryAsync(new AuditQuery())).Items.Single();

        Assert.Equal("123456789012", stored.Event.Where!.Account);
        Assert.Equal("dev", stored.Event.Where.Tags["env"]);
        Assert.True((await AuditChain.VerifyAsync(Log.ReadChainAsync(), Key, await Log.ReadAnchorAsync(), null, null)).Intact);
    }

    [Fact]
    public async Task AlertsAndHealth_RegionAndTagScope_OnlyCovered()
    {
        var alerts = new EfAlertStore(Database.Contexts);
        var health = new EfMetricStore(Database.Contexts);
        var owner = new PortalUser(Guid.NewGuid(), "owner", "Owner", Role.Admin, [Scope.Everything], Builders.Epoch);
        var instances = new[] { ("i-dev00000001", "eu-west-1", Dev), ("i-prod0000001", "eu-west-1", Prod), ("i-dev00000002", "us-east-1", Dev) };
        foreach (var (id, region, tags) in instances)
        {
            var reference = new InstanceRef("123456789012", region, id);
            var rule = new AlertRuleDraft { Name = $"rule-{id}", Threshold = 80, ScopeKind = ScopeKind.Account, ScopeValue = "*" }.ToRule(Guid.NewGuid(), owner, Builders.Epoch, TimeSpan.FromMinutes(5));
            await alerts.AddAsync(Alert.Open(rule, [new AlertMember(reference, id, Builders.Epoch, 90, "hot") { Tags = tags }], Builders.Epoch));
        }

        await health.SaveHealthAsync(instances.Select(i => new InstanceHealth(new InstanceRef("123456789012", i.Item2, i.Item1), i.Item1, 90, 1, 1, false, CheckStatus.Ok, CheckStatus.Ok, Builders.Epoch) { Tags = i.Item3 }).ToList());
        var viewer = Authorizer.ReadScopeOf(Viewer("123456789012/eu-west-1/env=dev"));

        var seenAlerts = await alerts.QueryAsync(new AlertQuery(PageSize: 50) { VisibleTo = viewer });
        var seenHealth = await health.HealthAsync(new HealthQuery(PageSize: 50) { VisibleTo = viewer });
        var allAlerts = await alerts.QueryAsync(new AlertQuery(PageSize: 50) { VisibleTo = Authorizer.ReadScopeOf(Admin) });

        Assert.Equal(["rule-i-dev00000001"], seenAlerts.Items.Select(a => a.RuleName));
        Assert.Equal(1, seenAlerts.TotalCount);
        Assert.Equal(["i-dev00000001"], seenHealth.Items.Select(h => h.Instance.InstanceId));
        Assert.Equal(1, seenHealth.TotalCount);
        Assert.Equal(3, allAlerts.TotalCount);
        Assert.Equal("dev", seenAlerts.Items[0].Footprint!.Tags["env"]);
    }
}

public sealed class SqliteScopedReadsTests() : ScopedReadsTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresScopedReadsTests() : ScopedReadsTests(DatabaseProvider.Postgres);
