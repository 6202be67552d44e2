using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfCapacityHistoryTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly GroupRef Web = new("123456789012", "eu-west-1", "web");
    private static readonly GroupRef Api = new("123456789012", "eu-west-1", "api");

    private static CapacitySample Sample(GroupRef group, int minutes, int desired) =>
        new(group, Builders.Epoch.AddMinutes(minutes), 1, desired, 8, desired - 1, 1, 0);

    [Fact]
    public async Task Record_SameMomentTwice_KeepsOne_AndReadsInOrder()
    {
        var history = new EfCapacityHistory(Database.Contexts);

        var first = await history.RecordAsync([Sample(Web, 5, 3), Sample(Web, 0, 2), Sample(Api, 0, 4)]);
        var again = await history.RecordAsync([Sample(Web, 5, 9), Sample(Web, 10, 4)]);
        var read = await history.ReadAsync(Web, Builders.Epoch, Builders.Epoch.AddHours(1));

        Assert.Equal((3, 1), (first, again));
        Assert.Equal([2, 3, 4], read.Select(s => s.DesiredCapacity));
        Assert.Equal([1, 2, 3], read.Select(s => s.InService));
    }

    [Fact]
    public async Task Prune_DropsOnlyOlderSamples()
    {
        var history = new EfCapacityHistory(Database.Contexts);
        await history.RecordAsync([Sample(Web, 0, 2), Sample(Web, 60, 3)]);

        var removed = await history.PruneAsync(Builders.Epoch.AddMinutes(30));

        Assert.Equal(1, removed);
        Assert.Equal([3], (await history.ReadAsync(Web, Builders.Epoch, Builders.Epoch.AddHours(2))).Select(s => s.DesiredCapacity));
    }
}

public sealed class SqliteEfCapacityHistoryTests() : EfCapacityHistoryTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfCapacityHistoryTests() : EfCapacityHistoryTests(DatabaseProvider.Postgres);
