using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using PortalOps.Jobs.Scheduling;

namespace PortalOps.Web.Configuration;

/// <summary>
/// A <c>worker</c> node (<c>Jobs:Role</c>, or <c>--role worker</c>) runs jobs and the Telegram poller and serves no pages: it
/// listens only on <c>Jobs:WorkerHealthUrls</c>, where it answers <c>/health</c>, <c>/health/live</c>, <c>/health/ready</c>
/// (and the metrics when <c>Telemetry:Prometheus:Enabled</c>), or on no port at all when that is empty,
/// so several workers share a host. The portal's own addresses (<c>urls</c>, <c>ASPNETCORE_URLS</c>) are for web nodes.
/// </summary>
public static class WorkerNode
{
    public static bool IsWorker(IConfiguration configuration) =>
        NodeRoles.IsWorker(configuration[$"{JobsOptions.Section}:{nameof(JobsOptions.Role)}"]);

    /// <summary>The addresses a worker listens on (none by default).</summary>
    public static IReadOnlyList<string> HealthUrls(IConfiguration configuration) =>
        JobsOptions.SplitUrls(configuration[$"{JobsOptions.Section}:{nameof(JobsOptions.WorkerHealthUrls)}"]);

    /// <summary>On a worker node, replaces the portal's addresses with the worker's health addresses, or with no listener at all.</summary>
    public static WebApplicationBuilder UseWorkerListeners(this WebApplicationBuilder builder)
    {
        if (!IsWorker(builder.Configuration))
        {
            return builder;
        }

        var urls = HealthUrls(builder.Configuration);
        if (urls.Count == 0)
        {
            builder.Services.AddSingleton<IServer, NoListenerServer>();
        }
        else
        {
            builder.WebHost.UseUrls([.. urls]);
        }

        return builder;
    }

    /// <summary>The worker's whole request pipeline: health (and metrics when enabled), and 404 for everything else.</summary>
    public static WebApplication UseWorkerEndpoints(this WebApplication app)
    {
        app.MapPortalHealth();
        app.MapPortalTelemetry();

        // Every other path is no page here: a plain 404 (anonymous, so the portal's sign-in fallback policy sends nobody to a login page).
        app.Map("/{**path}", () => Results.NotFound()).AllowAnonymous();
        var urls = HealthUrls(app.Configuration);
        app.Logger.LogInformation("Jobs:Role is worker: this node runs jobs and serves no pages; /health on {HealthUrls}",
            urls.Count == 0 ? "no port (Jobs:WorkerHealthUrls is empty)" : string.Join(", ", urls));
        return app;
    }

    /// <summary>A server that accepts no connections: a worker without health addresses binds no port.</summary>
    private sealed class NoListenerServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
