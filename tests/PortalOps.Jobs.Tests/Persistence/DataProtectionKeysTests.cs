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

    [Fact]
    public async Task Protect_NewKey_StoredEncryptedWithKeyFile()
    {
        using var node = Node();

        node.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("rita");

        await using var db = await Database.Contexts.CreateDbContextAsync();
        var xml = (await db.DataProtectionKeys.SingleAsync()).Xml!;
        Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        Assert.Contains(nameof(PortalOps.Jobs.Secrets.KeyFileXmlDecryptor), xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted", xml, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AddPersistence_NoKeyFileConfigured_GeneratesOwnerOnlyKeyInDataFolder()
    {
        using var node = Node();

        node.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("rita");

        var path = Path.Combine(Database.DataDirectory, PortalOps.Jobs.Secrets.SecretKeyFile.DefaultFileName);
        Assert.True(File.Exists(path));
        Assert.NotNull(PortalOps.Jobs.Secrets.SecretKeyFile.Parse(File.ReadAllText(path)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Unprotect_NodeWithAnotherKeyFile_CannotReadTheKeys()
    {
        using var first = Node();
        var secret = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("rita");
        var otherKey = Path.Combine(Database.DataDirectory, "other.key");
        File.WriteAllText(otherKey, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        using var second = Node(new() { ["Data:KeyFile"] = otherKey });

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(
            () => second.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Unprotect(secret));
    }

    [Fact]
    public void Unprotect_NodesSharingConfiguredKeyFile_ReadEachOthersKeys()
    {
        var keyFile = Path.Combine(Database.DataDirectory, "shared", "portalops.key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        File.WriteAllText(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        using var first = Node(new() { ["Data:KeyFile"] = keyFile });
        using var second = Node(new() { ["Data:KeyFile"] = keyFile });

        var secret = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("rita");

        Assert.Equal("rita", second.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Unprotect(secret));
        Assert.False(File.Exists(Path.Combine(Database.DataDirectory, PortalOps.Jobs.Secrets.SecretKeyFile.DefaultFileName)));
    }

    private ServiceProvider Node(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(Database.Configuration);
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddPersistence(configuration, Database.DataDirectory)
            .BuildServiceProvider();
    }
}

public sealed class SqliteDataProtectionKeysTests() : DataProtectionKeysTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresDataProtectionKeysTests() : DataProtectionKeysTests(DatabaseProvider.Postgres);
