using PortalOps.Web.Configuration;

namespace PortalOps.Web.Tests.Integration;

public sealed class ProxyOptionsValidatorTests
{
    [Fact]
    public void Validate_GoodSection_Succeeds()
    {
        var options = new ProxyOptions { KnownProxies = ["10.0.0.5", "::1"], KnownNetworks = ["10.0.1.0/24"] };

        Assert.True(new ProxyOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_BadAddressNetworkAndLimits_NameEachKey()
    {
        var options = new ProxyOptions { KnownProxies = ["10.0.0.5", "proxy.example"], KnownNetworks = ["10.0.1.0"], ForwardLimit = 0, HstsMaxAgeDays = -1 };

        var errors = new ProxyOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains("Proxy:KnownProxies:1 is not an IP address: 'proxy.example'", errors);
        Assert.Contains(errors, e => e.StartsWith("Proxy:KnownNetworks:0 is not a network in CIDR form", StringComparison.Ordinal));
        Assert.Contains("Proxy:ForwardLimit must be between 1 and 10", errors);
        Assert.Contains("Proxy:HstsMaxAgeDays must be between 0 and 730", errors);
    }
}
