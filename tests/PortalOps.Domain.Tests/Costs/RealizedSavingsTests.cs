using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class RealizedSavingsTests
{
    private static Recommendation Resize(string id = "i-1") =>
        new(RecommendationKind.Rightsize, new InstanceRef(Make.ProdAccount, "us-east-1", id), id, new Dictionary<string, string>(), "m5.xlarge", "m5.large", 70.08m, Confidence.High, []);

    [Fact]
    public void Of_Resize_TakesBeforeAndAfterFromThePriceTable()
    {
        var s = AppliedSaving.Of(Resize(), Guid.NewGuid(), "owen", Make.Now);

        Assert.Equal(SavingState.Pending, s.State);
        Assert.Equal(140.16m, s.MonthlyBefore); // m5.xlarge 0.192/h × 730
        Assert.Equal(70.08m, s.MonthlyAfter);
        Assert.Equal(70.08m, s.MonthlySaving);
    }

    [Fact]
    public void Summarize_CountsOnlyRealizedOnes_FromWhenTheyCompleted_ByTheHour()
    {
        var now = Make.Now;
        var done = AppliedSaving.Of(Resize("i-1"), Guid.NewGuid(), "owen", now.AddDays(-10)) with { State = SavingState.Realized, RealizedAt = now.AddDays(-3) };
        var waiting = AppliedSaving.Of(Resize("i-2"), Guid.NewGuid(), "owen", now.AddDays(-1));
        var denied = AppliedSaving.Of(Resize("i-3"), Guid.NewGuid(), "owen", now.AddDays(-9)) with { State = SavingState.NotCarriedOut };

        var o = SavingsTracker.Summarize([done, waiting, denied], now, 7);

        Assert.Equal(decimal.Round(70.08m * 72m / 730m, 2), o.SavedToDate);
        Assert.Equal(70.08m, o.MonthlyRate);
        Assert.Equal((1, 1), (o.Realized, o.Pending));
        Assert.Equal(7, o.Daily.Count);
        Assert.Equal(0m, o.Daily[0].Cumulative);
        Assert.Equal(o.SavedToDate, o.Daily[^1].Cumulative);
        Assert.True(o.Daily.Zip(o.Daily.Skip(1)).All(p => p.First.Cumulative <= p.Second.Cumulative));
    }

    [Fact]
    public async Task Settle_FollowsTheApprovalsOutcome_AndRunningTwiceChangesNothingMore()
    {
        var h = new BudgetHarness(Make.Now);
        var store = new InMemorySavingsStore();
        var clock = new FakeTimeProvider(Make.Now);
        var owen = Make.User("owen", Domain.Security.Role.Operator, "*/*");
        var alice = Make.User("alice", Domain.Security.Role.Approver, "*/*");
        await h.Users.AddAsync(owen);
        await h.Users.AddAsync(alice);
        var request = new Domain.Approvals.ApprovalRequest(Guid.NewGuid(), Domain.Actions.ActionKind.ResizeInstances, [new Domain.Actions.ResolvedTarget(Resize().Resource, "i-1", new Dictionary<string, string>())],
            new Dictionary<string, string>(), owen.AsActor(Domain.Common.Channel.Web), "Cost recommendation", null, Make.Now, TimeSpan.FromDays(1));
        await h.Approvals.AddAsync(request);
        await store.AddAsync(AppliedSaving.Of(Resize(), request.Id, "owen", Make.Now));
        var tracker = new SavingsTracker(store, h.Approvals, clock);

        Assert.Equal(0, await tracker.SettleAsync()); // still pending
        var version = request.Version;
        request.Approve(alice.AsActor(Domain.Common.Channel.Web), null, Make.Now.AddMinutes(5));
        request.BeginExecution(Make.Now.AddMinutes(6));
        request.MarkExecuted("Resized", Make.Now.AddMinutes(9));
        await h.Approvals.UpdateAsync(request, version);

        Assert.Equal(1, await tracker.SettleAsync());
        Assert.Equal(0, await tracker.SettleAsync());
        var s = Assert.Single(await store.ListAsync(null));
        Assert.Equal((SavingState.Realized, Make.Now.AddMinutes(9)), (s.State, s.RealizedAt));
    }
}

internal sealed class InMemorySavingsStore : ISavingsStore
{
    private readonly List<AppliedSaving> _all = [];

    public Task AddAsync(AppliedSaving saving, CancellationToken cancellationToken = default)
    {
        if (_all.All(s => s.Id != saving.Id))
        {
            _all.Add(saving);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AppliedSaving>> ListAsync(Domain.Security.ReadScope? visibleTo, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AppliedSaving>>(_all.Where(s => visibleTo is null || visibleTo.Covers(s.Footprint)).ToList());

    public Task<Domain.Common.Page<AppliedSaving>> QueryAsync(Domain.Security.ReadScope? visibleTo, SavingState? state, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        var rows = _all.Where(s => (visibleTo is null || visibleTo.Covers(s.Footprint)) && (state is null || s.State == state)).ToList();
        return Task.FromResult(new Domain.Common.Page<AppliedSaving>(rows.Skip(pageIndex * pageSize).Take(pageSize).ToList(), rows.Count, pageIndex, pageSize));
    }

    public Task<IReadOnlyList<AppliedSaving>> ListPendingAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AppliedSaving>>(_all.Where(s => s.State == SavingState.Pending).ToList());

    public Task SettleAsync(Guid id, SavingState state, DateTimeOffset? realizedAt, string? outcome, CancellationToken cancellationToken = default)
    {
        var i = _all.FindIndex(s => s.Id == id && s.State == SavingState.Pending);
        if (i >= 0)
        {
            _all[i] = _all[i] with { State = state, RealizedAt = realizedAt, Outcome = outcome };
        }

        return Task.CompletedTask;
    }
}
