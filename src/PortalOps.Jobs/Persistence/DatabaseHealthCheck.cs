using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PortalOps.Jobs.Persistence;

/// <summary>Readiness: the portal database answers a trivial query (SQLite file or PostgreSQL server).</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<PortalDbContext> contexts, PortalDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            return HealthCheckResult.Healthy($"{database.Provider} answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The error's type only: driver messages can name hosts and users.
            return HealthCheckResult.Unhealthy($"{database.Provider} does not answer ({e.GetType().Name})", e);
        }
    }
}
