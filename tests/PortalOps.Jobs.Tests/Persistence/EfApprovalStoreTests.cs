using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class EfApprovalStoreTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    [Fact]
    public async Task AddAsync_PendingRequest_RoundTripsTargetsParametersAndTimes()
    {
        var store = new EfApprovalStore(Database.Contexts);
        var request = Builders.PendingStop(Builders.Epoch, targets: 3);

        await store.AddAsync(request);
        var loaded = await store.FindAsync(request.Id);

        Assert.NotNull(loaded);
        Assert.Equal(request.KindName, loaded.KindName);
        Assert.Equal(request.Targets.Select(t => (t.Ref, t.Name)), loaded.Targets.Select(t => (t.Ref, t.Name)));
        Assert.Equal(request.Targets[2].Tags, loaded.Targets[2].Tags);
        Assert.Equal(request.Parameters, loaded.Parameters);
        Assert.Equal(request.RequestedBy, loaded.RequestedBy);
        Assert.Equal(request.RequestedByName, loaded.RequestedByName);
        Assert.Equal(request.RequestedVia, loaded.RequestedVia);
        Assert.Equal(request.Rule, loaded.Rule);
        Assert.Equal(request.Reason, loaded.Reason);
        Assert.Equal(request.CreatedAt, loaded.CreatedAt);
        Assert.Equal(request.ExpiresAt, loaded.ExpiresAt);
        Assert.Equal(ApprovalStatus.Pending, loaded.Status);
        Assert.Equal(0, loaded.Version);
    }

    [Fact]
    public async Task UpdateAsync_ExpectedVersion_SavesDecisionAndBumpsVersion()
    {
        var store = new EfApprovalStore(Database.Contexts);
        var request = Builders.PendingStop(Builders.Epoch);
        await store.AddAsync(request);

        var loaded = (await store.FindAsync(request.Id))!;
        loaded.Approve(Builders.Approver, "go ahead", Builders.Epoch.AddMinutes(1));
        await store.UpdateAsync(loaded, expectedVersion: 0);
        var saved = (await store.FindAsync(request.Id))!;

        Assert.Equal(ApprovalStatus.Approved, saved.Status);
        Assert.Equal(Builders.Approver.UserId, saved.DecidedBy);
        Assert.Equal("alice", saved.DecidedByName);
        Assert.Equal(Builders.Approver.Channel, saved.DecidedVia);
        Assert.Equal(Builders.Epoch.AddMinutes(1), saved.DecidedAt);
        Assert.Equal("go ahead", saved.DecisionReason);
        Assert.Equal(1, saved.Version);
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_ThrowsConcurrencyConflict()
    {
        var store = new EfApprovalStore(Database.Contexts);
        var request = Builders.PendingStop(Builders.Epoch);
        await store.AddAsync(request);
        request.Approve(Builders.Approver, null, Builders.Epoch.AddMinutes(1));
        await store.UpdateAsync(request, 0);

        var stale = Builders.PendingStop(Builders.Epoch);
        var copy = ApprovalRequest.FromStore(
            request.Id, stale.KindName, stale.Targets, stale.Parameters, stale.RequestedBy, stale.RequestedByName, stale.RequestedVia,
            stale.Rule, stale.Reason, stale.CreatedAt, stale.ExpiresAt, ApprovalStatus.Pending, null, null, null, null, null, null, null, 0);
        copy.Deny(Builders.SecondApprover, "no", Builders.Epoch.AddMinutes(2));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync(copy, 0));
        Assert.Equal(ApprovalStatus.Approved, (await store.FindAsync(request.Id))!.Status);
    }

    [Fact]
    public async Task UpdateAsync_ClaimedForExecution_KeepsWhenTheExecutionStarted()
    {
        var store = new EfApprovalStore(Database.Contexts);
        var request = Builders.PendingStop(Builders.Epoch);
        await store.AddAsync(request);
        request.Approve(Builders.Approver, null, Builders.Epoch.AddMinutes(1));
        await store.UpdateAsync(request, 0);
        request.BeginExecution(Builders.Epoch.AddMinutes(2));
        await store.UpdateAsync(request, 1);

        var read = (await store.FindAsync(request.Id))!;

        Assert.Equal((ApprovalStatus.Executing, Builders.Epoch.AddMinutes(2)), (read.Status, read.ExecutionStartedAt));
        Assert.Contains(await store.ListAsync(ApprovalStatus.Executing, 10), r => r.Id == request.Id);
    }

    [Fact]
    public async Task UpdateAsync_UnknownRequest_ThrowsDomainExceptionNotConflict()
    {
        var store = new EfApprovalStore(Database.Contexts);
        var request = Builders.PendingStop(Builders.Epoch);
        request.Approve(Builders.Approver, null, Builders.Epoch);

        var error = await Assert.ThrowsAsync<DomainException>(() => store.UpdateAsync(request, 0));

        Assert.IsNotType<ConcurrencyConflictException>(error);
    }

    [Fact]
    public async Task UpdateAsync_TwoDecisionsRaceFromSeparateContexts_ExactlyOneWins()
    {
        for (var round = 0; round < 5; round++)
        {
            var request = Builders.PendingStop(Builders.Epoch);
            await new EfApprovalStore(Database.Contexts).AddAsync(request);

            // Two nodes: separate factories, separate connections, both read version 0.
            var web = new EfApprovalStore(new PortalDbContextFactory(Database.Database));
            var telegram = new EfApprovalStore(new PortalDbContextFactory(Database.Database));
            var approving = (await web.FindAsync(request.Id))!;
            var denying = (await telegram.FindAsync(request.Id))!;
            approving.Approve(Builders.Approver, null, Builders.Epoch.AddMinutes(1));
            denying.Deny(Builders.SecondApprover, "not tonight", Builders.Epoch.AddMinutes(1));

            using var start = new Barrier(2);
            var results = await Task.WhenAll(
                Task.Run(() => Attempt(start, () => web.UpdateAsync(approving, 0))),
                Task.Run(() => Attempt(start, () => telegram.UpdateAsync(denying, 0))));

            Assert.Single(results, r => r is null);
            Assert.Single(results, r => r is ConcurrencyConflictException);
            var stored = (await web.FindAsync(request.Id))!;
            Assert.Equal(1, stored.Version);
            var winner = results[0] is null ? ApprovalStatus.Approved : ApprovalStatus.Denied;
            Assert.Equal(winner, stored.Status);
        }
    }

    [Fact]
    public async Task ListAsync_ByStatus_ReturnsNewestFirstAndCountsPending()
    {
        var store = new EfApprovalStore(Database.Contexts);
        var older = Builders.PendingStop(Builders.Epoch);
        var newer = Builders.PendingStop(Builders.Epoch.AddMinutes(10));
        var decided = Builders.PendingStop(Builders.Epoch.AddMinutes(5));
        await store.AddAsync(older);
        await store.AddAsync(newer);
        await store.AddAsync(decided);
        decided.Deny(Builders.Approver, "no", Builders.Epoch.AddMinutes(6));
        await store.UpdateAsync(decided, 0);

        var pending = await store.ListAsync(ApprovalStatus.Pending, 10);
        var all = await store.ListAsync(null, 2);

        Assert.Equal([newer.Id, older.Id], pending.Select(r => r.Id));
        Assert.Equal([newer.Id, decided.Id], all.Select(r => r.Id));
        Assert.Equal(2, await store.CountPendingAsync());
    }

    private static async Task<Exception?> Attempt(Barrier start, Func<Task> update)
    {
        start.SignalAndWait(TimeSpan.FromSeconds(10));
        try
        {
            await update();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}

public sealed class SqliteEfApprovalStoreTests() : EfApprovalStoreTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresEfApprovalStoreTests() : EfApprovalStoreTests(DatabaseProvider.Postgres);
