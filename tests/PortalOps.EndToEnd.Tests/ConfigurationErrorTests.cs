using PortalOps.EndToEnd.Tests.Infrastructure;

namespace PortalOps.EndToEnd.Tests;

/// <summary>The real binary refuses bad configuration with one clean line naming the key, and exit code 1.</summary>
[Trait("Category", "Peer")]
public sealed class ConfigurationErrorTests
{
    [Theory]
    [InlineData("Telegram:Token", "not-a-token", "Telegram:Token")]
    [InlineData("Proxy:KnownProxies:0", "proxy.example", "Proxy:KnownProxies:0")]
    [InlineData("Aws:ReadDeadlineSeconds", "0", "Aws:ReadDeadlineSeconds")]
    public async Task Start_InvalidSetting_ExitsWithOneLineNamingTheKey(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>(Moto.DummyCredentials) { [key] = value };
        if (key.StartsWith("Aws:", StringComparison.Ordinal))
        {
            settings["Aws:ServiceUrl"] = "http://127.0.0.1:9";
            settings["Aws:Accounts:0:Id"] = Moto.AccountId;
            settings["Aws:Accounts:0:Regions:0"] = "us-east-1";
        }

        var (exitCode, output) = await Portal.RunToExitAsync(settings, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.StartsWith("PortalOps cannot start: ", line, StringComparison.Ordinal);
        if (key == "Telegram:Token")
        {
            Assert.DoesNotContain(value, line, StringComparison.Ordinal);
        }
    }
}
