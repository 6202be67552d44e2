using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Costs;

/// <summary>Budgets are saved through the pipeline, checked at the field first, and authorized on the budget's scope.</summary>
public sealed class BudgetActionsTests
{
    private readonly BudgetHarness _h = new(Make.Now);

    private static BudgetDraft Draft(decimal? amount = 1000m, string account = Make.ProdAccount, string? tagKey = null, string? tagValue = null, string thresholds = "50, 80, 100") =>
        new() { Name = "Prod", Account = account, MonthlyAmount = amount, TagKey = tagKey, TagValue = tagValue, Thresholds = thresholds };

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Save_AmountOfZeroOrLess_IsRefusedAtTheField_AndNothingIsSubmitted(int amount)
    {
        var actor = Make.Actor("owen", Role.Operator, "*/*");

        var e = await Assert.ThrowsAsync<BudgetDraftException>(() => _h.Actions.SaveAsync(actor, Draft(amount), "k1"));

        Assert.Equal("A budget must be more than 0 USD a month.", e.Problems[BudgetDraft.AmountField]);
        Assert.Null(await _h.Budgets.FindAsync(Make.ProdAccount));
        Assert.Empty((await _h.Audit.QueryAsync(new Domain.Audit.AuditQuery())).Items);
    }

    [Fact]
    public async Task Save_TagKeyThatIsNotACostAllocationTag_SaysHowToActivateIt()
    {
        var actor = Make.Actor("owen", Role.Operator, "*/*");

        var e = await Assert.ThrowsAsync<BudgetDraftException>(() => _h.Actions.SaveAsync(actor, Draft(tagKey: "owner", tagValue: "ann"), "k1"));

        Assert.Contains("'owner' is not an active cost-allocation tag (active: team)", e.Problems[BudgetDraft.TagField], StringComparison.Ordinal);
        Assert.Contains("Billing console under Cost allocation tags", e.Problems[BudgetDraft.TagField], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("50, abc", "'abc' is not a percentage from 1 to 200.")]
    [InlineData("", "Give at least one threshold in percent (for example 50, 80, 100).")]
    [InlineData("0", "'0' is not a percentage from 1 to 200.")]
    public async Task Save_BadThresholds_AreRefusedAtTheField(string thresholds, string message)
    {
        var e = await Assert.ThrowsAsync<BudgetDraftException>(() => _h.Actions.SaveAsync(Make.Actor("owen", Role.Operator, "*/*"), Draft(thresholds: thresholds), "k1"));

        Assert.Equal(message, e.Problems[BudgetDraft.ThresholdsField]);
    }

    [Fact]
    public async Task Save_WholeAccountOperator_SavesThroughThePipeline_ThenEditsToVersionTwo_AndAReplayedRequestSavesOnce()
    {
        var actor = Make.Actor("owen", Role.Operator, $"{Make.ProdAccount}/*");

        var created = await _h.Actions.SaveAsync(actor, Draft(), "k1");
        var replay = await _h.Actions.SaveAsync(actor, Draft(), "k1");
        var edited = await _h.Actions.SaveAsync(actor, Draft(2500m) with { Thresholds = "90" }, "k2");

        Assert.Equal(ActionStatus.Executed, created.Status);
        Assert.True(replay.IsSuccess);
        Assert.Equal(ActionStatus.Executed, edited.Status);
        var budget = await _h.Budgets.FindAsync(Make.ProdAccount);
        Assert.Equal((2500m, 2), (budget!.MonthlyAmount, budget.Version));
        Assert.Equal([90], budget.Thresholds);
        var audit = (await _h.Audit.QueryAsync(new Domain.Audit.AuditQuery { Action = ActionKind.SaveBudget.Name })).Items;
        Assert.All(audit, a => Assert.Contains($"{Make.ProdAccount}/*/budget", a.Event.Target, StringComparison.Ordinal));
        Assert.NotEmpty(audit);
    }

    [Fact]
    public async Task Save_TagScopedOperator_MaySetTheirTeamsBudget_ButNotTheAccounts_NorARegionalOne()
    {
        var team = Make.Actor("tess", Role.Operator, $"{Make.ProdAccount}/*/team=payments");
        var regional = Make.Actor("rita", Role.Operator, $"{Make.ProdAccount}/eu-west-1");

        var own = await _h.Actions.SaveAsync(team, Draft(tagKey: "team", tagValue: "payments"), "k1");
        var account = await _h.Actions.SaveAsync(team, Draft(), "k2");
        var region = await _h.Actions.SaveAsync(regional, Draft(), "k3");

        Assert.Equal(ActionStatus.Executed, own.Status);
        Assert.Equal(ActionStatus.Refused, account.Status);
        Assert.Equal(ActionStatus.Refused, region.Status);
        var visible = await _h.Actions.ListAsync(team);
        Assert.Equal("Prod", Assert.Single(visible).Name);
        Assert.Empty(await _h.Actions.ListAsync(regional));
        Assert.Empty(await _h.Actions.ListAsync(Make.Actor("dora", Role.Viewer, $"{Make.DevAccount}/*")));
    }

    [Fact]
    public void Target_RoundTripsTheScope_WithoutASlash()
    {
        var scope = new BudgetScope(Make.ProdAccount, "cost/center", "a/b=c");

        Assert.DoesNotContain('/', scope.Target.InstanceId);
        Assert.Equal(scope, BudgetScope.FromTarget(scope.Target));
        Assert.Equal(new BudgetScope("*"), BudgetScope.FromTarget(new BudgetScope("*").Target));
        Assert.Null(BudgetScope.FromTarget(new Domain.Instances.InstanceRef(Make.ProdAccount, "eu-west-1", "budget")));
    }
}
