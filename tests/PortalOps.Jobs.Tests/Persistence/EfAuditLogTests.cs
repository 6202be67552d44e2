using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfAuditLogTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private EfAuditLog Log => new(Database.Contexts, Clock, Key);

    [Fact]
    public async Task AppendAsync_First_LinksToGenesisAndRoundTrips()
    {
        var e = new AuditEvent("rita", Guid.NewGuid(), Channel.Telegram, "instances.stop", "123456789012/eu-west-1/i-1", AuditOutcome.Succeeded, "Stop accepted", "{\"n\":1}", "req-1");

        var appended = await Log.AppendAsync(e);
        var stored = await SingleAsync(Log.ReadChainAsync());

        Assert.Equal(1, appended.Sequence);
        Assert.Equal(AuditChain.Genesis, appended.PreviousHash);
        Assert.Equal(appended, stored);
        Assert.Equal(Builders.Epoch, stored.At);
    }

    [Fact]
    public async Task AppendAsync_SubTickClock_StoresTheInstantItHashed()
    {
        Clock.Advance(TimeSpan.FromTicks(1234567));

        var appended = await Log.AppendAsync(new AuditEvent("rita", null, Channel.Web, "login", "rita", AuditOutcome.Succeeded));
        var verification = await VerifyAsync();

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(appended.At, (await SingleAsync(Log.ReadChainAsync())).At);
    }

    [Fact]
    public async Task AppendAsync_FiftyConcurrentAppenders_LeavesIntactContiguousChain()
    {
        // Separate log instances with separate context factories: as many appenders as the pool allows, racing.
        var appends = Enumerable.Range(1, 50).Select(i => Task.Run(() =>
            new EfAuditLog(new PortalDbContextFactory(Database.Database), Clock, Key)
                .AppendAsync(new AuditEvent($"user{i % 7}", null, Channel.Web, "instances.reboot", $"i-{i}", AuditOutcome.Succeeded))));

        var appended = await Task.WhenAll(appends);
        var chain = await ToListAsync(Log.ReadChainAsync());
        var verification = await VerifyAsync();

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(50, verification.RecordsChecked);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), chain.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), appended.Select(r => r.Sequence).Order());
    }

    [Fact]
    public async Task ReadChainAsync_RowAlteredWithRawSql_VerifierReportsThatRowFirst()
    {
        for (var i = 1; i <= 6; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            await Log.AppendAsync(new AuditEvent("rita", null, Channel.Web, "instances.stop", $"i-{i}", AuditOutcome.Succeeded, $"detail {i}"));
        }

        var changed = await Database.ExecuteSqlAsync("UPDATE \"AuditLog\" SET \"Outcome\" = 'Denied' WHERE \"Sequence\" = 4");
        var verification = await VerifyAsync();

        Assert.Equal(1, changed);
        Assert.False(verification.Intact);
        Assert.Equal(4, verification.FirstBrokenSequence);
        Assert.Equal(3, verification.RecordsChecked);
    }

    [Fact]
    public async Task ReadChainAsync_RowDeletedWithRawSql_VerifierReportsTheGap()
    {
        for (var i = 1; i <= 4; i++)
        {
            await Log.AppendAsync(new AuditEvent("rita", null, Channel.Web, "instances.start", $"i-{i}", AuditOutcome.Succeeded));
        }

        await Database.ExecuteSqlAsync("DELETE FROM \"AuditLog\" WHERE \"Sequence\" = 2");
        var verification = await VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Equal(3, verification.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_RecordRewrittenAndEverythingAfterItReHashed_IsReported()
    {
        await AppendAsync(6);
        var chain = await ToListAsync(Log.ReadChainAsync());

        // Someone with write access to the table, but not the key, changes record 4 and re-hashes 4..6 so the links hold again.
        var previous = chain[2].Hash;
        foreach (var r in chain.Skip(3))
        {
            var forged = AuditChain.Link(r.Sequence, r.At, r.Sequence == 4 ? r.Event with { Outcome = AuditOutcome.Denied } : r.Event, previous);
            await Database.ExecuteSqlAsync(
                $"UPDATE \"AuditLog\" SET \"Outcome\" = '{forged.Event.Outcome}', \"PreviousHash\" = '{forged.PreviousHash}', \"Hash\" = '{forged.Hash}' WHERE \"Sequence\" = {r.Sequence}");
            previous = forged.Hash;
        }

        var verification = await VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Equal((4L, "Record 4 was altered after it was written."), (verification.FirstBrokenSequence, verification.Problem));
    }

    [Fact]
    public async Task Verify_TailReHashedAsRecordsFromBeforeTheKey_IsReported()
    {
        await AppendAsync(6);
        var chain = await ToListAsync(Log.ReadChainAsync());

        // The same rewrite, passing the records off as written before the log was keyed (plain SHA-256, no key id).
        var previous = chain[2].Hash;
        foreach (var r in chain.Skip(3))
        {
            var forged = AuditChain.Link(r.Sequence, r.At, r.Event, previous);
            await Database.ExecuteSqlAsync(
                $"UPDATE \"AuditLog\" SET \"KeyId\" = NULL, \"PreviousHash\" = '{forged.PreviousHash}', \"Hash\" = '{forged.Hash}' WHERE \"Sequence\" = {r.Sequence}");
            previous = forged.Hash;
        }

        var verification = await VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Equal(4, verification.FirstBrokenSequence);
        Assert.Contains("rewritten without the key", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TailCut_IsReportedByTheSignedAnchor()
    {
        await AppendAsync(6);

        await Database.ExecuteSqlAsync("DELETE FROM \"AuditLog\" WHERE \"Sequence\" > 4");
        var verification = await VerifyAsync();

        Assert.False(verification.Intact);
        Assert.Equal(5, verification.FirstBrokenSequence);
        Assert.Equal("The log ends at record 4, but the signed anchor of the log's end names record 6: records 5–6 were removed.", verification.Problem);
    }

    [Fact]
    public async Task Verify_TailCutAndAnchorRolledBack_IsReportedByTheExportedCheckpoint()
    {
        await AppendAsync(4);
        var oldAnchor = (await Log.ReadAnchorAsync())!;
        await AppendAsync(2);
        var checkpoint = await Log.ReadAnchorAsync(); // what a verification exported to the file beside the key

        await Database.ExecuteSqlAsync("DELETE FROM \"AuditLog\" WHERE \"Sequence\" > 4");
        await Database.ExecuteSqlAsync($"UPDATE \"AuditAnchors\" SET \"Sequence\" = {oldAnchor.Sequence}, \"Hash\" = '{oldAnchor.Hash}', \"Mac\" = '{oldAnchor.Mac}'");
        Assert.True((await VerifyAsync()).Intact); // the table alone no longer shows it
        var verification = await AuditChain.VerifyAsync(Log.ReadChainAsync(), Key, await Log.ReadAnchorAsync(), checkpoint, null);

        Assert.False(verification.Intact);
        Assert.Contains("checkpoint exported by an earlier verification names record 6", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AnchorRowDeleted_IsReported()
    {
        await AppendAsync(3);

        await Database.ExecuteSqlAsync("DELETE FROM \"AuditAnchors\"");

        Assert.Equal("The signed anchor of the log's end is missing: records may have been removed from the end.", (await VerifyAsync()).Problem);
    }

    [Fact]
    public async Task Verify_RecordsWrittenBeforeTheKey_AreAcceptedAsTheBeginningAndCoveredByTheFirstKeyedRecord()
    {
        // Records as a portal wrote them before the log was keyed: plain SHA-256, no key id.
        await AppendAsync(3);
        var previous = AuditChain.Genesis;
        foreach (var r in await ToListAsync(Log.ReadChainAsync()))
        {
            var plain = AuditChain.Link(r.Sequence, r.At, r.Event, previous);
            await Database.ExecuteSqlAsync($"UPDATE \"AuditLog\" SET \"KeyId\" = NULL, \"PreviousHash\" = '{plain.PreviousHash}', \"Hash\" = '{plain.Hash}' WHERE \"Sequence\" = {r.Sequence}");
            previous = plain.Hash;
        }

        await Database.ExecuteSqlAsync("DELETE FROM \"AuditAnchors\"");
        await AppendAsync(1);
        var intact = await VerifyAsync();
        Assert.True(intact.Intact, intact.Problem);
        Assert.Equal("Records 1–3 were written before the log was keyed (plain SHA-256); the keyed record after them covers their hashes.", intact.Note);

        // Rewriting an old record and re-hashing the old ones still breaks the link into the first keyed record.
        var old = await ToListAsync(Log.ReadChainAsync());
        var forged2 = AuditChain.Link(2, old[1].At, old[1].Event with { Detail = "forged" }, old[0].Hash);
        var forged3 = AuditChain.Link(3, old[2].At, old[2].Event, forged2.Hash);
        await Database.ExecuteSqlAsync($"UPDATE \"AuditLog\" SET \"Detail\" = 'forged', \"Hash\" = '{forged2.Hash}' WHERE \"Sequence\" = 2");
        await Database.ExecuteSqlAsync($"UPDATE \"AuditLog\" SET \"PreviousHash\" = '{forged3.PreviousHash}', \"Hash\" = '{forged3.Hash}' WHERE \"Sequence\" = 3");

        var broken = await VerifyAsync();
        Assert.False(broken.Intact);
        Assert.Equal((4L, "Record 4 does not point at the record before it."), (broken.FirstBrokenSequence, broken.Problem));
    }

    [Fact]
    public async Task Verify_AnotherKey_ReportsTheFirstRecordItDidNotSign()
    {
        await AppendAsync(2);
        var other = new AuditKey(Enumerable.Repeat((byte)7, 32).ToArray());

        var verification = await AuditChain.VerifyAsync(Log.ReadChainAsync(), other, await Log.ReadAnchorAsync(), null, null);

        Assert.Equal(1, verification.FirstBrokenSequence);
        Assert.Contains($"signed with key {Key.Id}", verification.Problem, StringComparison.Ordinal);
    }

    private async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            await Log.AppendAsync(new AuditEvent("rita", null, Channel.Web, "instances.stop", $"i-{i}", AuditOutcome.Succeeded, $"detail {i}"));
        }
    }

    private async Task<ChainVerification> VerifyAsync() =>
        await AuditChain.VerifyAsync(Log.ReadChainAsync(), Key, await Log.ReadAnchorAsync(), null, null);

    [Fact]
    public async Task QueryAsync_Filters_MatchServerSide()
    {
        await SeedAsync();

        Assert.Equal(2, (await Log.QueryAsync(new AuditQuery { Text = "NIGHTLY" })).TotalCount);
        Assert.Equal(3, (await Log.QueryAsync(new AuditQuery { Actor = "Rita" })).TotalCount);
        Assert.Equal(2, (await Log.QueryAsync(new AuditQuery { Action = "approval." })).TotalCount);
        Assert.Equal(1, (await Log.QueryAsync(new AuditQuery { Action = "instances.stop", Outcome = AuditOutcome.Denied })).TotalCount);
        Assert.Equal(2, (await Log.QueryAsync(new AuditQuery { Channel = Channel.Telegram })).TotalCount);
        Assert.Equal(1, (await Log.QueryAsync(new AuditQuery { Target = "i-0B" })).TotalCount);
        Assert.Equal(1, (await Log.QueryAsync(new AuditQuery { Text = "req-77" })).TotalCount);

        var window = await Log.QueryAsync(new AuditQuery { From = Builders.Epoch.AddMinutes(2), To = Builders.Epoch.AddMinutes(4) });
        Assert.Equal([4L, 3L], window.Items.Select(r => r.Sequence));
    }

    [Fact]
    public async Task QueryAsync_Paging_ReturnsNewestFirstWithTotal()
    {
        await SeedAsync();

        var page = await Log.QueryAsync(new AuditQuery { PageIndex = 1, PageSize = 2 });

        Assert.Equal(6, page.TotalCount);
        Assert.Equal(1, page.PageIndex);
        Assert.Equal(2, page.PageSize);
        Assert.Equal([4L, 3L], page.Items.Select(r => r.Sequence));
    }

    [Fact]
    public async Task QueryAsync_HugePageIndex_ReturnsEmptyPageNotTheFirst()
    {
        await SeedAsync();

        var page = await Log.QueryAsync(new AuditQuery { PageIndex = int.MaxValue, PageSize = 500 });

        Assert.Empty(page.Items);
        Assert.Equal(6, page.TotalCount);
    }

    [Fact]
    public async Task StreamAsync_Filter_ReturnsEveryMatchOldestFirst()
    {
        await SeedAsync();

        var rows = await ToListAsync(Log.StreamAsync(new AuditQuery { Actor = "rita", PageSize = 1 }));

        Assert.Equal([1L, 2L, 6L], rows.Select(r => r.Sequence));
    }

    private async Task SeedAsync()
    {
        (string Actor, Channel Channel, string Action, string Target, AuditOutcome Outcome, string? Detail, string? RequestId)[] events =
        [
            ("rita", Channel.Web, "instances.stop", "i-0a", AuditOutcome.Succeeded, "Nightly stop", "req-77"),
            ("rita", Channel.Telegram, "instances.stop", "i-0b", AuditOutcome.Denied, "outside scope", null),
            ("alice", Channel.Web, "approval.approve", "approval:1", AuditOutcome.Succeeded, "nightly batch", null),
            ("bob", Channel.Telegram, "approval.deny", "approval:2", AuditOutcome.Succeeded, null, null),
            ("system", Channel.Job, "instances.start", "i-0c", AuditOutcome.Failed, null, null),
            ("Rita", Channel.Web, "login", "rita", AuditOutcome.Succeeded, null, null),
        ];
        foreach (var e in events)
        {
            await Log.AppendAsync(new AuditEvent(e.Actor, null, e.Channel, e.Action, e.Target, e.Outcome, e.Detail, null, e.RequestId));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    private static async Task<T> SingleAsync<T>(IAsyncEnumerable<T> items) => Assert.Single(await ToListAsync(items));

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

public sealed class SqliteEfAuditLogTests() : EfAuditLogTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfAuditLogTests() : EfAuditLogTests(DatabaseProvider.Postgres);
