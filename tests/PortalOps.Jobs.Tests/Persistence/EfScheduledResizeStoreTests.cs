using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfScheduledResizeStoreTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly InstanceRef Web = new("123456789012", "eu-west-1", "i-0web");
    private static readonly InstanceRef Db = new("210987654321", "us-east-1", "i-0db");

    private static ScheduledResize Resize(InstanceRef target, DateTimeOffset created, DateTimeOffset? notBefore = null, ResizeTiming timing = ResizeTiming.At, string type = "m5.large") =>
        new(Guid.NewGuid(), target, type, timing, notBefore, created);

    private EfScheduledResizeStore Store() => new(Database.Contexts);

    [Fact]
    public async Task AddAsync_ThenFind_RoundTripsEveryField()
    {
        var store = Store();
        var notBefore = new DateTimeOffset(2025, 3, 15, 23, 30, 0, TimeSpan.FromHours(2));
        var resize = Resize(Db, Builders.Epoch, notBefore, ResizeTiming.MaintenanceWindow, "r6g.xlarge");

        await store.AddAsync(resize);
        var found = await store.FindAsync(resize.ApprovalId);

        Assert.NotNull(found);
        Assert.Equal((resize.ApprovalId, Db, "r6g.xlarge", ResizeTiming.MaintenanceWindow), (found.ApprovalId, found.Target, found.InstanceType, found.Timing));
        Assert.Equal(notBefore.UtcDateTime, found.NotBefore!.Value.UtcDateTime);
        Assert.Equal(Builders.Epoch, found.CreatedAt);
        Assert.Equal((ScheduledResizeStatus.Waiting, (string?)null, (DateTimeOffset?)null), (found.Status, found.Summary, found.FinishedAt));
        Assert.Null(await store.FindAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task AddAsync_SameApprovalTwice_KeepsTheFirst()
    {
        var store = Store();
        var first = Resize(Web, Builders.Epoch, Builders.Epoch.AddHours(2));

        await store.AddAsync(first);
        await store.AddAsync(first with { InstanceType = "m5.2xlarge" });

        var waiting = Assert.Single(await store.WaitingAsync());
        Assert.Equal((first.ApprovalId, "m5.large"), (waiting.ApprovalId, waiting.InstanceType));
    }

    [Fact]
    public async Task AddAsync_SameApprovalFromTwoNodesAtOnce_KeepsOneRowWithoutFailing()
    {
        var resize = Resize(Web, Builders.Epoch, Builders.Epoch.AddHours(2));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new EfScheduledResizeStore(new PortalDbContextFactory(Database.Database)).AddAsync(resize))));

        Assert.Equal(resize.ApprovalId, Assert.Single(await Store().WaitingAsync()).ApprovalId);
    }

    [Fact]
    public async Task WaitingAsync_ListsOnlyWaitingOnes_OldestFirst_WhateverTheirTime()
    {
        var store = Store();
        var t = Builders.Epoch;
        var later = Resize(Web, t.AddMinutes(30), t.AddDays(3));
        var earliest = Resize(Db, t, t.AddHours(1));
        var middle = Resize(Web, t.AddMinutes(10), null, ResizeTiming.MaintenanceWindow);
        var claimed = Resize(Db, t.AddMinutes(1), t);
        var done = Resize(Web, t.AddMinutes(2), t);
        var failed = Resize(Db, t.AddMinutes(3), t);
        foreach (var r in new[] { later, claimed, earliest, done, middle, failed })
        {
            await store.AddAsync(r);
        }

        Assert.True(await store.TryClaimAsync(claimed.ApprovalId));
        Assert.True(await store.TryClaimAsync(done.ApprovalId));
        await store.CompleteAsync(done.ApprovalId, true, "Resized.", t.AddMinutes(5));
        await store.CompleteAsync(failed.ApprovalId, false, "Failed.", t.AddMinutes(5));

        var waiting = await store.WaitingAsync();

        Assert.Equal([earliest.ApprovalId, middle.ApprovalId, later.ApprovalId], waiting.Select(r => r.ApprovalId));
        Assert.All(waiting, r => Assert.Equal(ScheduledResizeStatus.Waiting, r.Status));
    }

    [Fact]
    public async Task WaitingAsync_WithDomainDueRule_PicksOnlyTheOnesWhoseTimeHasCome()
    {
        var store = Store();
        var now = Builders.Epoch.AddHours(6);
        var due = Resize(Web, Builders.Epoch, now.AddMinutes(-1));
        var exactlyNow = Resize(Web, Builders.Epoch.AddMinutes(1), now);
        var notYet = Resize(Db, Builders.Epoch.AddMinutes(2), now.AddMinutes(1));
        foreach (var r in new[] { notYet, exactlyNow, due })
        {
            await store.AddAsync(r);
        }

        var ready = (await store.WaitingAsync()).Where(r => r.IsDue(now, null, [])).Select(r => r.ApprovalId);

        Assert.Equal([due.ApprovalId, exactlyNow.ApprovalId], ready);
    }

    [Fact]
    public async Task TryClaimAsync_TwoRunsRacing_ExactlyOneWins()
    {
        var resize = Resize(Web, Builders.Epoch, Builders.Epoch);
        await Store().AddAsync(resize);

        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            new EfScheduledResizeStore(new PortalDbContextFactory(Database.Database)).TryClaimAsync(resize.ApprovalId))));

        Assert.Single(claims, c => c);
        Assert.Equal(ScheduledResizeStatus.Running, (await Store().FindAsync(resize.ApprovalId))!.Status);
        Assert.Empty(await Store().WaitingAsync());
    }

    [Fact]
    public async Task TryClaimAsync_FinishedOrUnknown_IsRefused()
    {
        var store = Store();
        var resize = Resize(Web, Builders.Epoch, Builders.Epoch);
        await store.AddAsync(resize);
        Assert.True(await store.TryClaimAsync(resize.ApprovalId));
        await store.CompleteAsync(resize.ApprovalId, false, "Resize of i-0web to m5.large failed: InsufficientInstanceCapacity", Builders.Epoch.AddMinutes(3));

        Assert.False(await store.TryClaimAsync(resize.ApprovalId));
        Assert.False(await store.TryClaimAsync(Guid.NewGuid()));
        Assert.Equal(ScheduledResizeStatus.Failed, (await store.FindAsync(resize.ApprovalId))!.Status);
    }

    [Fact]
    public async Task CompleteAsync_Succeeded_MarksDoneWithSummaryAndTime()
    {
        var store = Store();
        var resize = Resize(Db, Builders.Epoch, Builders.Epoch);
        await store.AddAsync(resize);
        await store.TryClaimAsync(resize.ApprovalId);
        var at = new DateTimeOffset(2025, 3, 14, 12, 0, 0, TimeSpan.FromHours(-5));

        await store.CompleteAsync(resize.ApprovalId, true, "Resized i-0db to m5.large (at 2025-03-14 09:26 UTC).", at);

        var done = (await store.FindAsync(resize.ApprovalId))!;
        Assert.Equal((ScheduledResizeStatus.Done, "Resized i-0db to m5.large (at 2025-03-14 09:26 UTC)."), (done.Status, done.Summary));
        Assert.Equal(at.UtcDateTime, done.FinishedAt!.Value.UtcDateTime);
    }

    [Fact]
    public async Task CompleteAsync_LongSummary_IsCutToTheColumn()
    {
        var store = Store();
        var resize = Resize(Web, Builders.Epoch, Builders.Epoch);
        await store.AddAsync(resize);

        await store.CompleteAsync(resize.ApprovalId, false, new string('x', 2500), Builders.Epoch);

        var failed = (await store.FindAsync(resize.ApprovalId))!;
        Assert.Equal(ScheduledResizeStatus.Failed, failed.Status);
        Assert.Equal(new string('x', 2000), failed.Summary);
    }

    [Fact]
    public async Task CompleteAsync_LongSummaryWithAPairAtTheCut_KeepsTheTextWhole()
    {
        var store = Store();
        var resize = Resize(Web, Builders.Epoch, Builders.Epoch);
        await store.AddAsync(resize);
        var summary = new string('x', 1999) + "\U0001F525 and the rest of a long AWS error message";

        await store.CompleteAsync(resize.ApprovalId, false, summary, Builders.Epoch);

        var failed = (await store.FindAsync(resize.ApprovalId))!;
        Assert.Equal(new string('x', 1999), failed.Summary);
    }
}

public sealed class SqliteEfScheduledResizeStoreTests() : EfScheduledResizeStoreTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfScheduledResizeStoreTests() : EfScheduledResizeStoreTests(DatabaseProvider.Postgres);
