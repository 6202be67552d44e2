using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfPatchingStoresTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private const string Prod = "123456789012";
    private const string Dev = "210987654321";
    private static readonly Actor Approver = new(Guid.NewGuid(), "alice", Role.Approver, [Scope.Everything], Channel.Web);

    private static InstancePatchState State(string id, string account, int critical = 0, bool online = true, DateTimeOffset? scanned = null)
    {
        var instance = new InstanceRef(account, "eu-west-1", id);
        var agent = new AgentStatus(instance, online ? AgentPing.Online : AgentPing.ConnectionLost, "Amazon Linux", "3.3.40.0", Builders.Epoch, online ? null : "lost", online ? null : "fix it");
        return new InstancePatchState(instance, id, Footprint.Of(account, "eu-west-1", new Dictionary<string, string> { ["env"] = "prod" }), "web", agent)
        {
            CriticalNonCompliant = critical, Missing = critical, LastScanAt = scanned ?? Builders.Epoch.AddHours(-1), UpdatedAt = Builders.Epoch,
        };
    }

    [Fact]
    public async Task PatchStates_UpsertFilterPage_ScopedInSql_SummarizedByAccount()
    {
        Clock.SetUtcNow(Builders.Epoch);
        var store = new EfPatchStateStore(Database.Contexts, Clock);
        await store.UpsertAsync([State("i-1", Prod, critical: 2), State("i-2", Prod), State("i-3", Prod, online: false), State("i-4", Dev), State("i-5", Dev, scanned: Builders.Epoch.AddDays(-9))]);
        await store.UpsertAsync([State("i-2", Prod, critical: 1)]);

        var everything = new ReadScope([Scope.Everything]);
        var prodOnly = new ReadScope([Scope.Parse($"{Prod}/*")]);
        Assert.Equal(5, (await store.QueryAsync(new PatchStateQuery(everything))).TotalCount);
        var offline = await store.QueryAsync(new PatchStateQuery(everything) { AgentOnline = false });
        Assert.Equal("i-3", Assert.Single(offline.Items).Instance.InstanceId);
        Assert.Equal("fix it", offline.Items[0].Agent.Fix);
        var critical = await store.QueryAsync(new PatchStateQuery(prodOnly) { Compliance = PatchComplianceLevel.NonCompliantCritical, Now = Builders.Epoch });
        Assert.Equal(["i-1", "i-2"], critical.Items.Select(s => s.Instance.InstanceId));
        Assert.Equal("i-5", Assert.Single((await store.QueryAsync(new PatchStateQuery(everything) { Compliance = PatchComplianceLevel.Unknown, Now = Builders.Epoch })).Items).Instance.InstanceId);
        var page = await store.QueryAsync(new PatchStateQuery(everything) { PageIndex = 1, PageSize = 2 });
        Assert.Equal((5, 2), (page.TotalCount, page.Items.Count));

        var nobody = new ReadScope([Scope.Parse("999999999999/*")]);
        Assert.Equal(0, (await store.QueryAsync(new PatchStateQuery(nobody))).TotalCount);
        Assert.Empty(await store.SummarizeAsync(nobody, PatchComplianceDimension.Account));

        var byAccount = (await store.SummarizeAsync(everything, PatchComplianceDimension.Account)).ToDictionary(r => r.Key);
        Assert.Equal((2, 1), (byAccount[Prod].Critical, byAccount[Prod].Compliant));
        Assert.Equal((1, 1), (byAccount[Dev].Compliant, byAccount[Dev].Unknown));
    }

    [Fact]
    public async Task Trend_OnePointPerDay_ScanClaimedOncePerInterval()
    {
        var store = new EfPatchStateStore(Database.Contexts, Clock);
        var day = DateOnly.FromDateTime(Builders.Epoch.UtcDateTime);
        await store.RecordTrendAsync([new PatchComplianceSnapshot(day, Prod, "eu-west-1", 5, 1, 0, 0, 0), new PatchComplianceSnapshot(day, Dev, "eu-west-1", 2, 0, 0, 0, 1)]);
        await store.RecordTrendAsync([new PatchComplianceSnapshot(day, Prod, "eu-west-1", 6, 0, 0, 0, 0)]);
        var all = Assert.Single(await store.TrendAsync(new ReadScope([Scope.Everything]), day.AddDays(-1)));
        Assert.Equal((8, 0, 1), (all.Compliant, all.Critical, all.Unknown));
        Assert.Equal(2, Assert.Single(await store.TrendAsync(new ReadScope([Scope.Parse($"{Dev}/*")]), day)).Compliant);

        var scope = new CloudScope(Prod, "eu-west-1");
        Assert.True(await store.TryClaimScanAsync(scope, Builders.Epoch, TimeSpan.FromHours(6)));
        Assert.False(await store.TryClaimScanAsync(scope, Builders.Epoch.AddHours(1), TimeSpan.FromHours(6)));
        Assert.True(await store.TryClaimScanAsync(scope, Builders.Epoch.AddHours(6), TimeSpan.FromHours(6)));
    }

    [Fact]
    public async Task Catalog_KeepsEveryBaselineVersion_AndGroups()
    {
        var catalog = new EfPatchCatalog(Database.Contexts);
        var v1 = PatchBaseline.Create(new PatchBaselineDraft("al2023", "AMAZON_LINUX_2023", ["Security"], ["Critical"], 7, ["kernel-6.1"], []), Approver, Builders.Epoch);
        var v2 = v1.Revise(v1.ToDraft() with { ApproveAfterDays = 2 }, Approver, Builders.Epoch.AddHours(1));
        await catalog.AddVersionAsync(v1);
        await catalog.AddVersionAsync(v2);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => catalog.AddVersionAsync(v2));

        var latest = Assert.Single(await catalog.BaselinesAsync());
        Assert.Equal((2, 2, "kernel-6.1"), (latest.Version, latest.ApproveAfterDays, latest.ApprovedPatches.Single()));
        Assert.Equal([1, 2], (await catalog.HistoryAsync(v1.Id)).Select(b => b.Version));

        await catalog.SaveGroupAsync(PatchGroup.Create("web", "Patch Group", "web", new Dictionary<string, Guid> { ["AMAZON_LINUX_2023"] = v1.Id }));
        Assert.Equal(v1.Id, Assert.Single(await catalog.GroupsAsync()).BaselineFor(PatchOperatingSystem.AmazonLinux2023));
    }

    [Fact]
    public async Task Runs_SavedOnlyOverTheVersionRead_TargetsAndWavesRoundTrip_ScopedQuery()
    {
        var store = new EfPatchRunStore(Database.Contexts);
        var run = PatchRunFactory.Create(Builders.Epoch, Prod);
        await store.AddAsync(run);
        Assert.Equal(run.Id, (await store.FindByKeyAsync(run.IdempotencyKey))!.Id);
        Assert.Equal([run.Id], await store.ActiveAsync());

        var a = (await store.FindAsync(run.Id))!;
        var b = (await store.FindAsync(run.Id))!;
        var read = a.Version;
        a.Approve();
        a.BeginWave(Builders.Epoch);
        await store.SaveAsync(a, read);
        b.Approve();
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SaveAsync(b, read));

        var stored = (await store.FindAsync(run.Id))!;
        Assert.Equal(PatchRunStatus.Running, stored.Status);
        Assert.Equal(WaveStatus.Installing, stored.Waves[0].Status);
        Assert.Equal(PatchTargetStatus.Sending, stored.InWave(0).Single().Status);
        read = stored.Version;
        stored.Sent([stored.InWave(0).Single().Instance], "cmd-1");
        stored.Record(new CommandInvocation(stored.InWave(0).Single().Instance.InstanceId, "Failed", new string('x', 5000), 1), Builders.Epoch);
        stored.FinishInstall(Builders.Epoch);
        await store.SaveAsync(stored, read);

        var failed = (await store.FindAsync(run.Id))!;
        Assert.Equal(PatchRunStatus.Failed, failed.Status);
        var target = failed.InWave(0).Single();
        Assert.Equal(("cmd-1", PatchRunTarget.MaxOutput, true), (target.CommandId, target.Output!.Length, target.OutputTruncated));
        Assert.Empty(await store.ActiveAsync());
        Assert.Equal(1, (await store.QueryAsync(new ReadScope([Scope.Parse($"{Prod}/*")]), 0, 10)).TotalCount);
        Assert.Equal(0, (await store.QueryAsync(new ReadScope([Scope.Parse($"{Dev}/*")]), 0, 10)).TotalCount);
    }
}

public sealed class SqliteEfPatchingStoresTests() : EfPatchingStoresTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfPatchingStoresTests() : EfPatchingStoresTests(DatabaseProvider.Postgres);

/// <summary>A small planned run: four instances in one account, a window open for two hours.</summary>
internal static class PatchRunFactory
{
    public static PatchRun Create(DateTimeOffset now, string account)
    {
        var actor = new Actor(Guid.NewGuid(), "olga", Role.Operator, [Scope.Everything], Channel.Web);
        var instances = Enumerable.Range(1, 4).Select(n => new Instance(new InstanceRef(account, "eu-west-1", $"i-{n}"), $"web-{n}", "t3.micro", InstanceState.Running, "eu-west-1a",
            "Linux/UNIX", now, new Dictionary<string, string> { ["Patch Group"] = "web" }, [])).ToList();
        var candidates = instances.Select(i => new PatchCandidate(i, AgentStatus.Of(i, new ManagedInstance(i.InstanceId, "Online", "Amazon Linux", "3.3.40.0", now), now))).ToList();
        var group = PatchGroup.Create("web", "Patch Group", "web", new Dictionary<string, Guid> { ["AMAZON_LINUX_2023"] = Guid.NewGuid() });
        var window = Domain.Monitoring.MaintenanceWindow.Create("night", new Domain.Monitoring.RuleScope(Domain.Monitoring.ScopeKind.Account, account), null, now.AddMinutes(-1), now.AddHours(2), actor, now);
        return PatchRun.Create(new PatchRunRequest("web", 25, 50, RebootPolicy.RebootIfNeeded, 10, Guid.NewGuid().ToString("N")), group, candidates, [window], actor, now);
    }
}
