using PortalOps.Jobs.Audit;

namespace PortalOps.Jobs.Tests.Audit;

public sealed class AuditKeyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portalops-audit-key-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void LoadOrCreate_NoFile_GeneratesAKeyOnlyTheOwnerMayReadAndLoadsTheSameKeyAgain()
    {
        var path = Path.Combine(_folder, "data", "audit.key");

        var made = AuditKeyFile.LoadOrCreate(path);
        var again = AuditKeyFile.LoadOrCreate(path);

        Assert.Equal(made.Id, again.Id);
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path)).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Theory]
    [InlineData("not base64 at all!", "does not hold a base64 key")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "shorter than 32 bytes")]
    public void LoadOrCreate_MalformedFile_FailsNamingTheSettingWithoutTheContent(string content, string expected)
    {
        var path = Path.Combine(_folder, "audit.key");
        File.WriteAllText(path, content);

        var ex = Assert.Throws<InvalidOperationException>(() => AuditKeyFile.LoadOrCreate(path));

        Assert.StartsWith("Audit:KeyPath: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(content, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyKeyPath_NamesTheKey()
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { KeyPath = " " });

        Assert.True(result.Failed);
        Assert.StartsWith("Audit:KeyPath must name a file", result.FailureMessage, StringComparison.Ordinal);
    }
}
