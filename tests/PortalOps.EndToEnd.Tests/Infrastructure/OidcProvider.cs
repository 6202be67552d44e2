namespace PortalOps.EndToEnd.Tests.Infrastructure;

/// <summary>The certified `oidc-provider` npm package, configured by Oidc/server.mjs, on a free loopback port.</summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "portalops";
    public const string ClientSecret = "portalops-test-secret";

    private readonly ChildProcess _process;

    private OidcProvider(ChildProcess process, string authority)
    {
        _process = process;
        Authority = authority;
    }

    public string Authority { get; }

    public static async Task<OidcProvider> StartAsync(string portalBaseUrl)
    {
        var folder = Path.Combine(Loopback.RepositoryRoot, "tests", "PortalOps.EndToEnd.Tests", "Oidc");
        await InstallAsync(folder);

        var port = Loopback.FreePort();
        var process = ChildProcess.Start("node", ["server.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), portalBaseUrl], folder, new Dictionary<string, string?>());
        await process.WaitForLineAsync(l => l.Contains("listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return new OidcProvider(process, $"http://127.0.0.1:{port}");
    }

    /// <summary>Portal settings that turn on single sign-on against this provider.</summary>
    public IReadOnlyDictionary<string, string?> PortalSettings(bool localLogin = true) => new Dictionary<string, string?>
    {
        ["Oidc:Authority"] = Authority,
        ["Oidc:ClientId"] = ClientId,
        ["Oidc:ClientSecret"] = ClientSecret,
        ["Oidc:RequireHttpsMetadata"] = "false",
        ["Oidc:RoleClaim"] = "roles",
        ["Oidc:RoleMapping:ops-admins"] = "Admin",
        ["Oidc:RoleMapping:ops"] = "Operator",
        ["Oidc:RoleMapping:ops-viewers"] = "Viewer",
        ["Oidc:DisplayName"] = "Test SSO",
        ["Auth:LocalLogin"] = localLogin ? "true" : "false",
    };

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>Installs the provider from the npm registry (pinned by package-lock.json) the first time it is needed.</summary>
    private static async Task InstallAsync(string folder)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")))
            {
                return;
            }

            await using var npm = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund"], folder, new Dictionary<string, string?>());
            await npm.WaitForExitAsync(TimeSpan.FromMinutes(3));
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")))
            {
                throw new InvalidOperationException($"The OpenID Connect test provider could not be installed (`npm ci` in {folder}; needs Node.js and npm):\n{npm.Tail()}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
