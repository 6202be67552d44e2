using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using ForwardedHeadersOptions = Microsoft.AspNetCore.Builder.ForwardedHeadersOptions;
using Microsoft.Extensions.Options;

namespace PortalOps.Web.Configuration;

/// <summary>
/// Running behind a reverse proxy or load balancer ("Proxy" section). <c>X-Forwarded-For</c> / <c>-Proto</c> / <c>-Host</c>
/// are believed only from the proxies listed here; from anyone else they are ignored.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Addresses of the proxies whose forwarded headers are believed (e.g. <c>10.0.0.5</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks whose forwarded headers are believed, in CIDR form (e.g. <c>10.0.0.0/24</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a chain are read from the forwarded headers, nearest first.</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary><c>Strict-Transport-Security</c> max-age sent on HTTPS answers; 0 sends none.</summary>
    public int HstsMaxAgeDays { get; set; } = 365;

    public bool TrustsAnyProxy => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    /// <summary>The forwarded-headers settings these options describe: nothing trusted by default, not even loopback.</summary>
    public ForwardedHeadersOptions ToForwardedHeaders()
    {
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            ForwardLimit = ForwardLimit,
        };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies)
        {
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in KnownNetworks)
        {
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        return forwarded;
    }
}

/// <summary>Checks the <c>Proxy</c> section at start; each message names the key to fix.</summary>
public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        var s = ProxyOptions.Section;
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"{s}:KnownProxies:{i} is not an IP address: '{options.KnownProxies[i]}'");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                errors.Add($"{s}:KnownNetworks:{i} is not a network in CIDR form (10.0.0.0/24): '{options.KnownNetworks[i]}'");
            }
        }

        if (options.ForwardLimit is < 1 or > 10)
        {
            errors.Add($"{s}:ForwardLimit must be between 1 and 10");
        }

        if (options.HstsMaxAgeDays is < 0 or > 730)
        {
            errors.Add($"{s}:HstsMaxAgeDays must be between 0 and 730");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
