using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Scheduling;

/// <summary>
/// Readiness: Hangfire's storage answers, and on a node that runs jobs (<c>all</c>, <c>worker</c>) this node's Hangfire server is
/// registered there with a recent heartbeat — so a worker whose server has stopped, or has not started yet, is not ready.
/// </summary>
public sealed class HangfireHealthCheck(JobStorage storage, IOptions<JobsOptions> options, TimeProvider clock) : IHealthCheck
{
    /// <summary>A server whose last heartbeat is older than this is not running (Hangfire beats every 30 s).</summary>
    public static readonly TimeSpan HeartbeatWithin = TimeSpan.FromMinutes(2);

    /// <summary>The name this node's Hangfire server registers under (Hangfire adds a unique suffix).</summary>
    public static string ServerName => $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's storage API is synchronous: keep it off the request's thread.
            var servers = await Task.Run(() => storage.GetMonitoringApi().Servers(), cancellationToken);
            if (!options.Value.RunsServer)
            {
                return HealthCheckResult.Healthy("job storage answers");
            }

            var since = clock.GetUtcNow().UtcDateTime - HeartbeatWithin;
            var mine = servers.Any(s => s.Name.StartsWith(ServerName + ":", StringComparison.OrdinalIgnoreCase)
                                        && (s.Heartbeat ?? s.StartedAt) >= since);
            return mine
                ? HealthCheckResult.Healthy("job storage answers; this node's job server is running")
                : HealthCheckResult.Unhealthy("this node's job server is not running");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"job storage does not answer ({e.GetType().Name})", e);
        }
    }
}
