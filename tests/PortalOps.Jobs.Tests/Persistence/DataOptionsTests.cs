using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Persistence;

/// <summary>The key file that encrypts secrets at rest: a configured one must exist and hold a key, and the messages name the setting.</summary>
public sealed class DataOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portalops-keyfile-").FullName;

    [Fact]
    public void Validate_NoKeyFile_Succeeds()
    {
        var result = new DataOptionsValidator(_folder).Validate(null, new DataOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_ConfiguredKeyFileMissing_FailsNamingTheKey()
    {
        var result = new DataOptionsValidator(_folder).Validate(null, new DataOptions { KeyFile = "secrets/missing.key" });

        Assert.True(result.Failed);
        Assert.StartsWith("Data:KeyFile", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder, "secrets", "missing.key"), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConfiguredKeyFileNotAKey_FailsNamingTheKey()
    {
        File.WriteAllText(Path.Combine(_folder, "short.key"), Convert.ToBase64String(new byte[16]));

        var result = new DataOptionsValidator(_folder).Validate(null, new DataOptions { KeyFile = "short.key" });

        Assert.True(result.Failed);
        Assert.StartsWith("Data:KeyFile", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("256-bit", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConfiguredKeyFileWithKey_Succeeds()
    {
        File.WriteAllText(Path.Combine(_folder, "good.key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");

        var result = new DataOptionsValidator(_folder).Validate(null, new DataOptions { KeyFile = "good.key" });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void ResolveKeyFile_Default_InDataFolderAndGenerated()
    {
        var (path, generate) = DataOptions.ResolveKeyFile(null, "/srv/portalops/data", _folder);

        Assert.Equal(Path.Combine("/srv/portalops/data", "portalops.key"), path);
        Assert.True(generate);
        Assert.False(DataOptions.ResolveKeyFile("k.key", "/srv/portalops/data", _folder).Generate);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
