using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfSetupTokenStoreTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private EfSetupTokenStore Store => new(Database.Contexts, Clock);

    [Fact]
    public async Task ConsumeAsync_SameTokenTwice_SucceedsOnce()
    {
        var token = await Store.IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromHours(1));

        Assert.True(await Store.IsValidAsync(SetupTokenPurposes.FirstAdmin, token));
        Assert.True(await Store.ConsumeAsync(SetupTokenPurposes.FirstAdmin, token));
        Assert.False(await Store.ConsumeAsync(SetupTokenPurposes.FirstAdmin, token));
        Assert.False(await Store.IsValidAsync(SetupTokenPurposes.FirstAdmin, token));
    }

    [Fact]
    public async Task ConsumeAsync_WrongTokenOrPurpose_Fails()
    {
        var token = await Store.IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromHours(1));

        Assert.False(await Store.ConsumeAsync(SetupTokenPurposes.FirstAdmin, token + "x"));
        Assert.False(await Store.ConsumeAsync(SetupTokenPurposes.FirstAdmin, string.Empty));
        Assert.False(await Store.ConsumeAsync("telegram-link", token));
        Assert.True(await Store.ConsumeAsync(SetupTokenPurposes.FirstAdmin, token));
    }

    [Fact]
    public async Task ConsumeAsync_AfterExpiry_Fails()
    {
        var token = await Store.IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromMinutes(30));
        Clock.Advance(TimeSpan.FromMinutes(30));

        Assert.False(await Store.IsValidAsync(SetupTokenPurposes.FirstAdmin, token));
        Assert.False(await Store.ConsumeAsync(SetupTokenPurposes.FirstAdmin, token));
    }

    [Fact]
    public async Task ConsumeAsync_TenRacingRequests_ExactlyOneSucceeds()
    {
        var token = await Store.IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromHours(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
            new EfSetupTokenStore(new PortalDbContextFactory(Database.Database), Clock).ConsumeAsync(SetupTokenPurposes.FirstAdmin, token))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task IssueAsync_Token_StoresOnlyItsHash()
    {
        var token = await Store.IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromHours(1));

        await using var db = await Database.Contexts.CreateDbContextAsync();
        var row = await db.SetupTokens.SingleAsync();

        Assert.True(token.Length >= 43);
        Assert.NotEqual(token, row.TokenHash);
        Assert.Equal(EfSetupTokenStore.Hash(token), row.TokenHash);
        Assert.Equal(Clock.GetUtcNow().AddHours(1), row.ExpiresAt);
        Assert.Null(row.UsedAt);
    }
}

public sealed class SqliteEfSetupTokenStoreTests() : EfSetupTokenStoreTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfSetupTokenStoreTests() : EfSetupTokenStoreTests(DatabaseProvider.Postgres);
