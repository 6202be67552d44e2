using PortalOps.EndToEnd.Tests.Infrastructure;

namespace PortalOps.EndToEnd.Tests;

/// <summary>
/// Starts the real binary cannot keep are refused with one line, before anything is made on disk: a web or worker node without
/// a database, a second node running the Sandbox on one database, a bad setting.
/// </summary>
[Trait("Category", "Peer")]
public sealed class ScaleOutRefusalTests
{
    [Theory]
    [InlineData("worker")]
    [InlineData("web")]
    public async Task Start_RoleWithoutDatabase_OneLineAndNothingOnDisk(string role)
    {
        var (exitCode, output, files) = await Portal.RunToExitWithFilesAsync(new Dictionary<string, string?> { ["Jobs:Role"] = role }, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"PortalOps cannot start: Jobs:Role {role} needs ConnectionStrings:PortalOps (PostgreSQL): nodes of several roles share one database, and the embedded SQLite database belongs to one process (use Jobs:Role all for a single node).", line.TrimEnd());
        Assert.Empty(files);
    }

    [Fact]
    public async Task Start_BadSetting_NoDatabaseOrKeyFileMade()
    {
        var (exitCode, output, files) = await Portal.RunToExitWithFilesAsync(new Dictionary<string, string?> { ["Telegram:Token"] = "not-a-token" }, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains("Telegram:Token", output, StringComparison.Ordinal);
        Assert.True(files.Count == 0, "Made before the refusal: " + string.Join(", ", files));
    }

    [Fact]
    public async Task Start_SecondSandboxNodeOnOneDatabase_RefusedWithOneLineWhileTheFirstRuns()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:PortalOps"] = database.ConnectionString };
        await using var first = await Portal.StartAsync(settings);

        var (exitCode, output, _) = await Portal.RunToExitWithFilesAsync(settings, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("PortalOps cannot start: Sandbox: another node already runs the Sandbox account on this database.", line, StringComparison.Ordinal);
        Assert.False(first.Process.HasExited);
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(first.BaseUrl + "/health/ready")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Start_NodeWithAnotherKeyFile_RefusedWithOneLine()
    {
        await using var database = await PostgresDatabase.CreateAsync();

        // AWS at an address that answers nothing: no Sandbox, so two nodes may share the database.
        var settings = new Dictionary<string, string?>(Moto.DummyCredentials)
        {
            ["ConnectionStrings:PortalOps"] = database.ConnectionString,
            ["Aws:ServiceUrl"] = "http://127.0.0.1:9",
            ["Aws:Accounts:0:Id"] = Moto.AccountId,
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
        };
        await using var first = await Portal.StartAsync(settings);
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(first.BaseUrl + "/login")).IsSuccessStatusCode, "the login form makes the first Data Protection key");

        // Its own data folder, so its own new key file.
        var (exitCode, output, _) = await Portal.RunToExitWithFilesAsync(settings, TimeSpan.FromSeconds(90));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("PortalOps cannot start", StringComparison.Ordinal));
        Assert.Equal("PortalOps cannot start: " + PortalOps.Jobs.ScaleOut.DataProtectionKeyCheck.Refusal, line.TrimEnd());
    }
}
