using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfLoadBalancingStoresTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly CloudScope Scope = new("123456789012", "eu-west-1");
    private static readonly InstanceRef Web1 = new("123456789012", "eu-west-1", "i-0aaaaaaaaaaaaaaa1");
    private static readonly InstanceRef Web2 = new("123456789012", "eu-west-1", "i-0aaaaaaaaaaaaaaa2");
    private const string WebArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef";
    private const string ApiArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef";

    [Fact]
    public async Task DrainedRegistrations_OutliveTheStoreThatSavedThem_AndAreTakenOnce()
    {
        await new EfDrainedRegistrations(Database.Contexts, Clock).SaveAsync(
            [new DrainedRegistration(Web1, WebArn, "web", 80), new DrainedRegistration(Web1, ApiArn, "api", 8080), new DrainedRegistration(Web2, WebArn, "web", null)]);

        // A new node (a restart): a fresh store over the same database.
        var restarted = new EfDrainedRegistrations(Database.Contexts, Clock);
        var listed = await restarted.ListAsync();
        var taken = await restarted.TakeAsync([Web1]);
        var again = await restarted.TakeAsync([Web1]);

        Assert.Equal(3, listed.Count);
        Assert.All(listed, r => Assert.Equal(Builders.Epoch, r.SavedAt));
        Assert.Equal([("api", (int?)8080), ("web", (int?)80)], taken.Select(t => (t.TargetGroupName, t.Port)).OrderBy(t => t.Item1));
        Assert.Empty(again);
        Assert.Equal([Web2], (await restarted.ListAsync()).Select(r => r.Instance));
    }

    [Fact]
    public async Task RegistrationIndex_KeepsTheNewestReadPerScope()
    {
        var index = new EfRegistrationIndex(Database.Contexts);
        await index.RecordAsync(new RegistrationIndexSnapshot(Scope, Builders.Epoch.AddMinutes(5), [new IndexedRegistration(WebArn, "web", Web1.InstanceId, 80)]));
        await index.RecordAsync(new RegistrationIndexSnapshot(Scope, Builders.Epoch, [new IndexedRegistration(ApiArn, "api", Web2.InstanceId, null)]));

        var latest = await new EfRegistrationIndex(Database.Contexts).LatestAsync(Scope);

        Assert.NotNull(latest);
        Assert.Equal(Builders.Epoch.AddMinutes(5), latest.ReadAt);
        var entry = Assert.Single(latest.Registrations);
        Assert.Equal((WebArn, "web", Web1.InstanceId, (int?)80), (entry.TargetGroupArn, entry.TargetGroupName, entry.InstanceId, entry.Port));
        Assert.Null(await index.LatestAsync(new CloudScope("123456789012", "us-east-1")));
    }

    [Fact]
    public async Task DrainProgress_LatestReportPerInstance_WithTheOutcomeWhenDone()
    {
        var store = new EfDrainProgressStore(Database.Contexts);
        await store.SaveAsync(new DrainProgress([Web1, Web2], "web", 2, 2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)), Builders.Epoch.AddSeconds(5));
        var running = await store.FindAsync(Web2);
        await store.SaveAsync(new DrainProgress([Web1, Web2], "web", 2, 0, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), "Drained from web in 30 s (deregistration delay 30 s)."), Builders.Epoch.AddSeconds(30));

        var done = await store.FindAsync(Web1);

        Assert.NotNull(running);
        Assert.False(running.Progress.Done);
        Assert.Contains("2 of 2 still draining after 5 s", running.Progress.Describe(), StringComparison.Ordinal);
        Assert.NotNull(done);
        Assert.True(done.Progress.Done);
        Assert.Equal(Builders.Epoch.AddSeconds(30), done.UpdatedAt);
        Assert.StartsWith("Drained from web in 30 s", done.Progress.Describe(), StringComparison.Ordinal);
    }
}

public sealed class SqliteEfLoadBalancingStoresTests() : EfLoadBalancingStoresTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfLoadBalancingStoresTests() : EfLoadBalancingStoresTests(DatabaseProvider.Postgres);
