using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Creates a short-lived context per operation (the Blazor Server pattern: a circuit must never share one context
/// across concurrent calls). Builds the provider's derived context, so each provider uses its own migrations.
/// </summary>
public sealed class PortalDbContextFactory : IDbContextFactory<PortalDbContext>
{
    private readonly DatabaseProvider _provider;
    private readonly DbContextOptions<SqlitePortalDbContext>? _sqlite;
    private readonly DbContextOptions<PostgresPortalDbContext>? _postgres;

    public PortalDbContextFactory(PortalDatabase database, ILoggerFactory? loggerFactory = null)
    {
        _provider = database.Provider;
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                _sqlite = WithLogging(new DbContextOptionsBuilder<SqlitePortalDbContext>(), loggerFactory)
                    .UseSqlite(database.ConnectionString)
                    .Options;
                break;
            case DatabaseProvider.Postgres:
                _postgres = WithLogging(new DbContextOptionsBuilder<PostgresPortalDbContext>(), loggerFactory)
                    .UseNpgsql(database.ConnectionString)
                    .Options;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(database), database.Provider, "Unknown database provider.");
        }
    }

    public PortalDbContext CreateDbContext() => _provider switch
    {
        DatabaseProvider.Sqlite => new SqlitePortalDbContext(_sqlite!),
        DatabaseProvider.Postgres => new PostgresPortalDbContext(_postgres!),
    };

    public Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(CreateDbContext());

    private static DbContextOptionsBuilder<T> WithLogging<T>(DbContextOptionsBuilder<T> builder, ILoggerFactory? loggerFactory)
        where T : DbContext
    {
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return builder;
    }
}
