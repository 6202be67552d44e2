using Microsoft.EntityFrameworkCore;
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

    [Fact]
    public async Task UpdateAsync_LoginCopyReadBeforeDisable_RefusedAndUserStaysDisabled()
    {
        var user = NewUser("rita");
        await Store.AddAsync(user);
        var loginCopy = await Store.FindAsync(user.Id);
        var adminCopy = await Store.FindAsync(user.Id);
        adminCopy!.Disable();
        await Store.UpdateAsync(adminCopy);

        loginCopy!.RecordLogin(Builders.Epoch.AddMinutes(1));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.UpdateAsync(loginCopy));
        Assert.True((await Store.FindAsync(user.Id))!.IsDisabled);
    }

    [Fact]
    public async Task RecordLoginAsync_AfterDisableAndDemotion_KeepsAdminsChange()
    {
        var user = NewUser("rita");
        user.ChangeRole(Role.Operator, [Scope.Everything]);
        await Store.AddAsync(user);
        var adminCopy = await Store.FindAsync(user.Id);
        adminCopy!.ChangeRole(Role.Viewer, [new Scope("123456789012", "eu-west-1")]);
        adminCopy.Disable();
        await Store.UpdateAsync(adminCopy);

        await Store.RecordLoginAsync(user.Id, Builders.Epoch.AddMinutes(2));

        var loaded = await Store.FindAsync(user.Id);
        Assert.True(loaded!.IsDisabled);
        Assert.Equal(Role.Viewer, loaded.Role);
        Assert.Equal(adminCopy.SecurityStamp, loaded.SecurityStamp);
        Assert.Equal(Builders.Epoch.AddMinutes(2), loaded.LastLoginAt);
    }

    [Fact]
    public async Task UpdateAsync_SavedTwiceFromSameCopy_BothSucceed()
    {
        var user = NewUser("vera");
        await Store.AddAsync(user);

        user.ChangeRole(Role.Operator, [Scope.Everything]);
        await Store.UpdateAsync(user);
        user.Disable();
        await Store.UpdateAsync(user);

        var loaded = await Store.FindAsync(user.Id);
        Assert.Equal(Role.Operator, loaded!.Role);
        Assert.True(loaded.IsDisabled);
        Assert.Equal(2, loaded.Version);
    }

    [Fact]
    public async Task TryUseTotpStepAsync_SameOrEarlierStep_RefusedAfterFirstUse()
    {
        var user = NewUser("tom");
        user.EnableTotp("JBSWY3DPEHPK3PXP");
        await Store.AddAsync(user);

        Assert.True(await Store.TryUseTotpStepAsync(user.Id, 1000));
        Assert.False(await Store.TryUseTotpStepAsync(user.Id, 1000));
        Assert.False(await Store.TryUseTotpStepAsync(user.Id, 999));
        Assert.True(await Store.TryUseTotpStepAsync(user.Id, 1001));
        Assert.Equal(1001, (await Store.FindAsync(user.Id))!.TotpLastStep);
    }

    [Fact]
    public async Task UpdateAsync_StaleCopyAfterTotpUse_DoesNotRewindLastStep()
    {
        var user = NewUser("tom");
        user.EnableTotp("JBSWY3DPEHPK3PXP", usedStep: 10);
        await Store.AddAsync(user);
        var adminCopy = await Store.FindAsync(user.Id);
        Assert.True(await Store.TryUseTotpStepAsync(user.Id, 20));

        adminCopy!.ChangeRole(Role.Operator, adminCopy.Scopes);
        await Store.UpdateAsync(adminCopy);

        Assert.False(await Store.TryUseTotpStepAsync(user.Id, 20));
        Assert.Equal(20, (await Store.FindAsync(user.Id))!.TotpLastStep);
    }

    [Fact]
    public async Task AddAsync_TotpSecret_StoredEncryptedAndReadBack()
    {
        const string secret = "JBSWY3DPEHPK3PXPJBSWY3DP";
        var user = NewUser("tom");
        user.EnableTotp(secret);
        await Store.AddAsync(user);

        await using var db = await Database.Contexts.CreateDbContextAsync();
        var stored = await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.TotpSecret).SingleAsync();
        Assert.NotNull(stored);
        Assert.DoesNotContain(secret, stored, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("v1:", stored, StringComparison.Ordinal);
        Assert.Equal(secret, (await Store.FindAsync(user.Id))!.TotpSecret);
    }

    [Fact]
    public async Task EncryptPlainTotpSecretsAsync_SecretFromBeforeEncryption_EncryptedAndStillUsable()
    {
        const string secret = "JBSWY3DPEHPK3PXP";
        var user = NewUser("old");
        user.EnableTotp(secret);
        await Store.AddAsync(user);
        await using (var db = await Database.Contexts.CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.TotpSecret, secret));
        }

        Assert.Equal(secret, (await Store.FindAsync(user.Id))!.TotpSecret);
        Assert.Equal(1, await Store.EncryptPlainTotpSecretsAsync());
        Assert.Equal(0, await Store.EncryptPlainTotpSecretsAsync());

        await using var check = await Database.Contexts.CreateDbContextAsync();
        var stored = await check.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.TotpSecret).SingleAsync();
        Assert.DoesNotContain(secret, stored!, StringComparison.Ordinal);
        Assert.Equal(secret, (await Store.FindAsync(user.Id))!.TotpSecret);
    }

    [Fact]
    public async Task FindAsync_TotpSecretUnderAnotherKey_Throws()
    {
        var user = NewUser("tom");
        user.EnableTotp("JBSWY3DPEHPK3PXP");
        await Store.AddAsync(user);

        var otherKey = new EfUserStore(Database.Contexts, new PortalOps.Jobs.Secrets.SecretProtector(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => otherKey.FindAsync(user.Id));
    }

    [Fact]
    public async Task UpdateAsync_LastEnabledAdminDemotedOrDisabled_ThrowsLastAdmin()
    {
        var admin = NewUser("ada");
        admin.ChangeRole(Role.Admin, [Scope.Everything]);
        await Store.AddAsync(admin);

        var demoted = (await Store.FindAsync(admin.Id))!;
        demoted.ChangeRole(Role.Operator, demoted.Scopes);
        await Assert.ThrowsAsync<LastAdminException>(() => Store.UpdateAsync(demoted));
        var disabled = (await Store.FindAsync(admin.Id))!;
        disabled.Disable();
        await Assert.ThrowsAsync<LastAdminException>(() => Store.UpdateAsync(disabled));

        var loaded = await Store.FindAsync(admin.Id);
        Assert.Equal(Role.Admin, loaded!.Role);
        Assert.False(loaded.IsDisabled);
    }

    [Fact]
    public async Task UpdateAsync_TwoAdminsDemoteEachOtherAtOnce_OneEnabledAdminRemains()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = NewUser($"ada{round}");
            a.ChangeRole(Role.Admin, [Scope.Everything]);
            var b = NewUser($"bob{round}");
            b.ChangeRole(Role.Admin, [Scope.Everything]);
            await Store.AddAsync(a);
            await Store.AddAsync(b);

            // Each Admin's request read the other while both were still Admins.
            var demoteA = (await Store.FindAsync(a.Id))!;
            demoteA.ChangeRole(Role.Viewer, demoteA.Scopes);
            var disableB = (await Store.FindAsync(b.Id))!;
            disableB.Disable();

            using var start = new Barrier(2);
            var results = await Task.WhenAll(
                Task.Run(() => Attempt(start, demoteA)),
                Task.Run(() => Attempt(start, disableB)));

            Assert.Equal(1, results.Count(ok => ok));
            var admins = (await Store.ListAsync()).Where(u => u.Role == Role.Admin && !u.IsDisabled).ToList();
            Assert.Single(admins);

            // Start the next round from a clean table.
            await using var db = await Database.Contexts.CreateDbContextAsync();
            await db.Users.ExecuteDeleteAsync();
        }
    }

    private async Task<bool> Attempt(Barrier start, PortalUser change)
    {
        start.SignalAndWait();
        try
        {
            await Store.UpdateAsync(change);
            return true;
        }
        catch (LastAdminException)
        {
            return false;
        }
    }

    private static PortalUser NewUser(string name) => new(Guid.NewGuid(), name, string.Empty, Role.Viewer, [Scope.Everything], Builders.Epoch);
}

public sealed class SqliteEfUserStoreTests() : EfUserStoreTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfUserStoreTests() : EfUserStoreTests(DatabaseProvider.Postgres);
