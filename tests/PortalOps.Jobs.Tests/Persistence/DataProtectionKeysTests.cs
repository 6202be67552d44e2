using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Persistence;

/// <summary>Web nodes share Data Protection keys through the database, so a cookie written by one node is read by another.</summary>
public abstract class DataProtectionKeysTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    [Fact]
    public async Task Protect_OneNode_AnotherNodeOnSameDatabaseUnprotects()
    {
        using var first = Node();
        using var second = Node();

        var secret = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("rita");
        var read = second.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Unprotect(secret);

        Assert.Equal("rita", read);
        await using var db = await Database.Contexts.CreateDbContextAsync();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    private ServiceProvider Node()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Database.Configuration).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddPersistence(configuration, Database.DataDirectory)
            .BuildServiceProvider();
    }
}

public sealed class SqliteDataProtectionKeysTests() : DataProtectionKeysTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresDataProtectionKeysTests() : DataProtectionKeysTests(DatabaseProvider.Postgres);
