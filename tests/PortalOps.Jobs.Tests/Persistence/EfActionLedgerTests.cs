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

    [Fact]
    public async Task TryAbandonAsync_OnlyAClaimSilentSinceTheCutoff_IsCompleted_AndAHeartbeatAfterThatChangesNothing()
    {
        var ledger = new EfActionLedger(Database.Contexts);
        var claimedAt = Clock.GetUtcNow();
        var lost = new ActionExecution(false, "The node stopped.", null);
        Assert.Null(await ledger.FindAsync("instances.stop:a"));
        Assert.Null(await ledger.TryClaimAsync("instances.stop:a", "instances.stop", claimedAt));
        Assert.Null(await ledger.TryClaimAsync("instances.stop:b", "instances.stop", claimedAt));
        await ledger.RenewAsync("instances.stop:b", claimedAt.AddMinutes(3));

        var cutoff = claimedAt.AddMinutes(2);
        Assert.True(await ledger.TryAbandonAsync("instances.stop:a", cutoff, lost, claimedAt.AddMinutes(4)));
        Assert.False(await ledger.TryAbandonAsync("instances.stop:a", cutoff, lost, claimedAt.AddMinutes(4)));
        Assert.False(await ledger.TryAbandonAsync("instances.stop:b", cutoff, lost, claimedAt.AddMinutes(4)));
        await ledger.RenewAsync("instances.stop:a", claimedAt.AddMinutes(5));

        var a = (await ledger.FindAsync("instances.stop:a"))!;
        Assert.Equal((true, false, "The node stopped.", claimedAt.AddMinutes(4)), (a.IsCompleted, a.Succeeded, a.Summary, a.CompletedAt));
        Assert.Null(a.AliveAt);
        var b = (await ledger.FindAsync("instances.stop:b"))!;
        Assert.Equal((false, claimedAt.AddMinutes(3)), (b.IsCompleted, b.LastSeen));
    }
}

public sealed class SqliteEfActionLedgerTests() : EfActionLedgerTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfActionLedgerTests() : EfActionLedgerTests(DatabaseProvider.Postgres);
