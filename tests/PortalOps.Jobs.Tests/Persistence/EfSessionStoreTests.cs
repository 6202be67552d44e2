using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfSessionStoreTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private EfSessionStore Store => new(Database.Contexts);

    [Fact]
    public async Task EndAsync_OpenSession_NoLongerActiveAndEndsOnce()
    {
        await Store.StartAsync(new PortalSession("session-1", Guid.NewGuid(), "local", Builders.Epoch), Builders.Epoch.AddDays(-7));
        Assert.True(await Store.IsActiveAsync("session-1"));

        Assert.True(await Store.EndAsync("session-1", Builders.Epoch.AddMinutes(5)));

        Assert.False(await Store.IsActiveAsync("session-1"));
        Assert.False(await Store.EndAsync("session-1", Builders.Epoch.AddMinutes(6)));
    }

    [Fact]
    public async Task IsActiveAsync_UnknownSession_False()
    {
        Assert.False(await Store.IsActiveAsync("never-started"));
        Assert.False(await Store.IsActiveAsync(string.Empty));
    }

    [Fact]
    public async Task StartAsync_StoresOnlyAHashOfTheId()
    {
        await Store.StartAsync(new PortalSession("visible-session-id", Guid.NewGuid(), "oidc", Builders.Epoch), Builders.Epoch.AddDays(-7));

        await using var db = await Database.Contexts.CreateDbContextAsync();
        var row = await db.Sessions.SingleAsync();
        Assert.DoesNotContain("visible-session-id", row.IdHash, StringComparison.Ordinal);
        Assert.Equal(64, row.IdHash.Length);
    }

    [Fact]
    public async Task StartAsync_ForgetsSessionsStartedBeforeTheCutoff()
    {
        await Store.StartAsync(new PortalSession("old", Guid.NewGuid(), "local", Builders.Epoch), Builders.Epoch.AddDays(-7));

        await Store.StartAsync(new PortalSession("new", Guid.NewGuid(), "local", Builders.Epoch.AddDays(8)), Builders.Epoch.AddDays(1));

        Assert.False(await Store.IsActiveAsync("old"));
        Assert.True(await Store.IsActiveAsync("new"));
    }
}

public sealed class SqliteEfSessionStoreTests() : EfSessionStoreTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfSessionStoreTests() : EfSessionStoreTests(DatabaseProvider.Postgres);
