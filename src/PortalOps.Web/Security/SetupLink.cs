using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>
/// On a start with no users, issues a one-time setup link and prints it on the console (not through logging,
/// so it never lands in a log store). The link creates the first Admin and then stops working.
/// </summary>
public sealed class SetupLink(
    IServiceScopeFactory scopes,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<AuthOptions> options,
    ILogger<SetupLink> logger) : IHostedService
{
    public const string Path = "/setup";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = PrintAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task PrintAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<IUserStore>().CountAsync() > 0)
            {
                return;
            }

            var token = await scope.ServiceProvider.GetRequiredService<ISetupTokenStore>().IssueAsync(SetupTokenPurposes.FirstAdmin, TimeSpan.FromMinutes(options.Value.SetupLinkMinutes));
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
            address = address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal);
            Console.Out.WriteLine();
            Console.Out.WriteLine("PortalOps has no users yet. Create the first administrator here (valid once, for " + options.Value.SetupLinkMinutes + " minutes):");
            Console.Out.WriteLine($"  {address.TrimEnd('/')}{Path}?token={token}");
            Console.Out.WriteLine();
            logger.LogInformation("No users exist; a one-time setup link was printed on the console.");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not issue the first-start setup link.");
        }
    }
}
