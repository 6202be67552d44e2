using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfUserStoreTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private EfUserStore Store => new(Database.Contexts, Database.Secrets);

    [Fact]
    public async Task AddAsync_FullUser_RoundTripsEveryField()
    {
        var user = PortalUser.FromStore(
            Guid.NewGuid(), "Rita", "Rita Ops", Role.Approver,
            [Scope.Everything, new Scope("123456789012", "eu-west-1", "env", "prod"), new Scope("123456789012", "*", "team")],
            Builders.Epoch, "hash$1", "JBSWY3DPEHPK3PXP", "oidc|rita", isDisabled: true, Builders.Epoch.AddHours(3), securityStamp: 7);

        await Store.AddAsync(user);
        var loaded = await Store.FindAsync(user.Id);

        Assert.NotNull(loaded);
        Assert.Equal(user.UserName, loaded.UserName);
        Assert.Equal(user.DisplayName, loaded.DisplayName);
        Assert.Equal(user.Role, loaded.Role);
        Assert.Equal(user.Scopes, loaded.Scopes);
        Assert.Equal(user.PasswordHash, loaded.PasswordHash);
        Assert.Equal(user.TotpSecret, loaded.TotpSecret);
        Assert.Equal(user.ExternalSubject, loaded.ExternalSubject);
        Assert.True(loaded.IsDisabled);
        Assert.Equal(user.CreatedAt, loaded.CreatedAt);
        Assert.Equal(user.LastLoginAt, loaded.LastLoginAt);
        Assert.Equal(7, loaded.SecurityStamp);
    }

    [Fact]
    public async Task FindByNameAsync_DifferentCase_FindsUser()
    {
        var user = NewUser("Operator.One");
        await Store.AddAsync(user);

        var found = await Store.FindByNameAsync("operator.ONE");

        Assert.Equal(user.Id, found?.Id);
        Assert.Null(await Store.FindByNameAsync("operator.two"));
    }

    [Fact]
    public async Task AddAsync_NameTakenInOtherCase_ThrowsDomainException()
    {
        await Store.AddAsync(NewUser("admin"));

        await Assert.ThrowsAsync<DomainException>(() => Store.AddAsync(NewUser("ADMIN")));
        Assert.Equal(1, await Store.CountAsync());
    }

    [Fact]
    public async Task UpdateAsync_ChangedRoleScopesAndCredentials_Persists()
    {
        var user = NewUser("vera");
        await Store.AddAsync(user);
        user.ChangeRole(Role.Admin, [new Scope("123456789012", "us-east-1")]);
        user.SetPasswordHash("hash$2");
        user.LinkExternal("oidc|vera");
        user.RecordLogin(Builders.Epoch.AddMinutes(5));

        await Store.UpdateAsync(user);
        var loaded = await Store.FindByExternalSubjectAsync("oidc|vera");

        Assert.NotNull(loaded);
        Assert.Equal(Role.Admin, loaded.Role);
        Assert.Equal([new Scope("123456789012", "us-east-1")], loaded.Scopes);
        Assert.Equal("hash$2", loaded.PasswordHash);
        Assert.Equal(user.SecurityStamp, loaded.SecurityStamp);
        Assert.Equal(Builders.Epoch.AddMinutes(5), loaded.LastLoginAt);
    }

    [Fact]
    public async Task UpdateAsync_UnknownUser_ThrowsDomainException()
    {
        await Assert.ThrowsAsync<DomainException>(() => Store.UpdateAsync(NewUser("ghost")));
    }

    [Fact]
    public async Task ListAsync_SeveralUsers_ReturnsAllByName()
    {
        await Store.AddAsync(NewUser("zed"));
        await Store.AddAsync(NewUser("amy"));

        var users = await Store.ListAsync();

        Assert.Equal(["amy", "zed"], users.Select(u => u.UserName));
        Assert.Equal(2, await Store.CountAsync());
    }

    private static PortalUser NewUser(string name) => new(Guid.NewGuid(), name, string.Empty, Role.Viewer, [Scope.Everything], Builders.Epoch);
}

public sealed class SqliteEfUserStoreTests() : EfUserStoreTests(DatabaseProvider.Sqlite);

public sealed class PostgresEfUserStoreTests() : EfUserStoreTests(DatabaseProvider.Postgres);
