using Microsoft.EntityFrameworkCore;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Persistence;

public sealed class MigrationsTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public void Model_CheckedInMigrations_CoverEveryChange(DatabaseProvider provider)
    {
        var database = provider == DatabaseProvider.Sqlite
            ? PortalDatabase.Sqlite(Path.GetTempPath())
            : PortalDatabase.Postgres("Host=127.0.0.1;Database=unused", Path.GetTempPath());
        using var db = new PortalDbContextFactory(database).CreateDbContext();

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"Add a {provider} migration: the model changed (dotnet ef migrations add NAME --project src/PortalOps.Jobs --context {db.GetType().Name}).");
    }
}
