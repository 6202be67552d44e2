using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfActionLedgerTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    [Fact]
    public async Task TryClaimAsync_SameKeyFromTwoNodesAtOnce_OneClaimWins()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            new EfActionLedger(new PortalDbContextFactory(Database.Database)).TryClaimAsync("instances.reboot:k1", "instances.reboot", Clock.GetUtcNow()))));

        Assert.Single(claims, c => c is null);
        var other = Assert.Single(claims, c => c is not null)!;
        Assert.False(other.IsCompleted);
    }

    [Fact]
    public async Task CompleteAsync_ThenClaimAgain_ReturnsTheRecordedOutcomeWithTheCreatedInstances()
    {
        var ledger = new EfActionLedger(Database.Contexts);
        var made = new InstanceRef("123456789012", "eu-west-1", "i-0abc");
        Assert.Null(await ledger.TryClaimAsync("instances.launch:w1", "instances.launch", Clock.GetUtcNow()));
        await ledger.CompleteAsync("instances.launch:w1", new ActionExecution(true, "Launched 1 instance(s).", "r-1") { Created = [made] }, Clock.GetUtcNow());

        var again = await ledger.TryClaimAsync("instances.launch:w1", "instances.launch", Clock.GetUtcNow());

        Assert.NotNull(again);
        Assert.Equal((true, true, "Launched 1 instance(s).", "r-1"), (again.IsCompleted, again.Succeeded, again.Summary, again.RequestId));
        Assert.Equal([made], again.Created);
    }

    [Fact]
    public async Task TryClaimAsync_KeyLongerThanTheColumn_IsStillClaimedOnce()
    {
        var ledger = new EfActionLedger(Database.Contexts);
        var key = "instances.launch:" + new string('x', 500);

        Assert.Null(await ledger.TryClaimAsync(key, "instances.launch", Clock.GetUtcNow()));
        Assert.NotNull(await ledger.TryClaimAsync(key, "instances.launch", Clock.GetUtcNow()));
    }
}

public sealed class SqliteEfActionLedgerTests() : EfActionLedgerTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfActionLedgerTests() : EfActionLedgerTests(DatabaseProvider.Postgres);
