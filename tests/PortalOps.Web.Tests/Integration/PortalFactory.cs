using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using PortalOps.Domain.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// The whole portal in process on its embedded default (SQLite and Hangfire in a fresh data folder, the Sandbox account),
/// with a controllable clock. Each test class gets its own.
/// </summary>
public sealed partial class PortalFactory : WebApplicationFactory<Program>
{
    public const string Password = "integration-password-1";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "portalops-it-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Sandbox:PendingSeconds"] = "1",
        ["Sandbox:StoppingSeconds"] = "1",
        ["Sandbox:ShuttingDownSeconds"] = "1",
        ["Jobs:QueuePollInterval"] = "00:00:00.200",
    };

    public PortalFactory() => Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

    public FakeTimeProvider Clock { get; }

    public string DataPath => _dataPath;

    /// <summary>Adds or overrides configuration before the host starts.</summary>
    public PortalFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Data:Path", _dataPath);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public async Task<PortalUser> CreateUserAsync(string userName, Role role, params string[] scopes)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
        var user = new PortalUser(Guid.NewGuid(), userName, userName, role, (scopes.Length == 0 ? ["*/*"] : scopes).Select(Scope.Parse), Clock.GetUtcNow());
        user.SetPasswordHash(scope.ServiceProvider.GetRequiredService<IPasswordHasher<PortalUser>>().HashPassword(user, Password));
        await users.AddAsync(user);
        return user;
    }

    /// <summary>The whole audit chain as stored, oldest first.</summary>
    public async Task<List<AuditRecord>> AuditAsync()
    {
        var records = new List<AuditRecord>();
        await foreach (var r in Services.GetRequiredService<IAuditLog>().ReadChainAsync())
        {
            records.Add(r);
        }

        return records;
    }

    /// <summary>A client that does not follow redirects, so tests see them.</summary>
    public HttpClient AnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Logs in through the real login form (antiforgery token included) and returns the client holding the session cookie.</summary>
    public async Task<HttpClient> LoginAsync(string userName, string password = Password)
    {
        var client = AnonymousClient();
        var response = await PostFormAsync(client, "/login", "login", new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Login as {userName} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    /// <summary>GETs a form page, then posts the form with its antiforgery token, as a browser would.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string formName, IDictionary<string, string> fields, bool withAntiforgery = true)
    {
        var page = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>(fields) { ["_handler"] = formName };
        if (withAntiforgery)
        {
            form["__RequestVerificationToken"] = AntiforgeryToken().Match(page) is { Success: true } m
                ? WebUtility.HtmlDecode(m.Groups[1].Value)
                : throw new InvalidOperationException("No antiforgery token on " + url);
        }

        return await client.PostAsync(url, new FormUrlEncodedContent(form));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dataPath, recursive: true);
            }
            catch (IOException)
            {
                // Hangfire may still hold its file for a moment; the temp folder is cleaned by the OS.
            }
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
