using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Scheduling;

namespace PortalOps.Web.Configuration;

/// <summary>
/// Health on web and worker nodes alike: <c>/health/live</c> (the process answers; restart it when this fails),
/// <c>/health/ready</c> (the database and Hangfire's storage answer, on a node that runs jobs its job server is running, and the
/// node is not shutting down; send it no traffic while this fails) and <c>/health</c>, kept as before: the same as live.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string Ready = "ready";

    /// <summary>How long a stopping node waits for requests and background work to finish (unless <c>shutdownTimeoutSeconds</c> is set).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddPortalHealthChecks(this IServiceCollection services)
    {
        // Graceful shutdown: readiness turns 503 at once (the balancer stops sending), running requests and the Telegram
        // poller's handlers finish, and Hangfire gives running jobs its own 10 s before they are requeued for another worker.
        services.AddOptions<HostOptions>().PostConfigure<IConfiguration>((host, configuration) =>
        {
            if (string.IsNullOrWhiteSpace(configuration["shutdownTimeoutSeconds"]))
            {
                host.ShutdownTimeout = ShutdownTimeout;
            }
        });

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<HangfireHealthCheck>("jobs", tags: [Ready], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<AcceptingHealthCheck>("accepting", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapPortalHealth(this IEndpointRouteBuilder app)
    {
        var live = new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync };
        app.MapHealthChecks("/health", live).AllowAnonymous();
        app.MapHealthChecks(LivePath, live).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync }).AllowAnonymous();
        return app;
    }

    /// <summary>The status and, per check, its status and description (never an exception's message).</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }

    /// <summary>Not ready once the host is shutting down, so the balancer stops sending new sessions while running work finishes.</summary>
    private sealed class AcceptingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
                ? HealthCheckResult.Unhealthy("shutting down")
                : HealthCheckResult.Healthy("accepting work"));
    }
}
