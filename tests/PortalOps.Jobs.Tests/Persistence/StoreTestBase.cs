using Microsoft.Extensions.Time.Testing;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

/// <summary>Runs a store suite against a fresh database of the derived class's provider for every test.</summary>
public abstract class StoreTestBase(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase? _database;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("The database is not ready.");

    protected FakeTimeProvider Clock { get; } = new(Builders.Epoch);

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
