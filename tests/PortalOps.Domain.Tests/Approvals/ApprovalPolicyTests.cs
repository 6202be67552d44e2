using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;

namespace PortalOps.Domain.Tests.Approvals;

public class ApprovalPolicyTests
{
    private static List<ResolvedTarget> Targets(int count, params string[] tags) =>
        Enumerable.Range(1, count).Select(n => Make.Target($"i-{n:D3}", tags: tags)).ToList();

    [Fact]
    public void Default_TerminateOneInstance_NeedsApproval()
    {
        var rule = ApprovalPolicy.Default.RuleFor(ActionKind.TerminateInstances, Targets(1));

        Assert.NotNull(rule);
        Assert.Equal("Terminate needs approval", rule.Name);
    }

    [Theory]
    [InlineData("instances.start")]
    [InlineData("instances.stop")]
    [InlineData("instances.reboot")]
    public void Default_FiveInstances_RunsAtOnce(string kind)
    {
        Assert.Null(ApprovalPolicy.Default.RuleFor(ActionKind.Find(kind)!, Targets(5)));
    }

    [Theory]
    [InlineData("instances.start")]
    [InlineData("instances.stop")]
    [InlineData("instances.reboot")]
    public void Default_SixInstances_NeedsBulkApproval(string kind)
    {
        var rule = ApprovalPolicy.Default.RuleFor(ActionKind.Find(kind)!, Targets(6));

        Assert.Equal("Bulk actions over 5 instances need approval", rule?.Name);
    }

    [Fact]
    public void Default_TerminateMany_ReportsTheFirstRuleThatApplies()
    {
        Assert.Equal("Terminate needs approval", ApprovalPolicy.Default.RuleFor(ActionKind.TerminateInstances, Targets(20))?.Name);
    }

    [Fact]
    public void Default_Lifetime_IsOneDay()
    {
        Assert.Equal(TimeSpan.FromHours(24), ApprovalPolicy.Default.Lifetime);
    }

    private static readonly ApprovalPolicy ProdOnly = new([new ApprovalRule("Production needs approval", [], TagKey: "env", TagValue: "prod")], TimeSpan.FromHours(4));

    [Fact]
    public void TagRule_TargetsWithoutTheTagValue_RunAtOnce()
    {
        Assert.Null(ProdOnly.RuleFor(ActionKind.StopInstances, Targets(3, "env=dev")));
        Assert.Null(ProdOnly.RuleFor(ActionKind.StopInstances, Targets(3)));
    }

    [Fact]
    public void TagRule_OneTaggedTargetAmongOthers_NeedsApproval()
    {
        List<ResolvedTarget> targets = [.. Targets(3, "env=dev"), Make.Target("i-prod", tags: "env=Prod")];

        Assert.Equal("Production needs approval", ProdOnly.RuleFor(ActionKind.RebootInstances, targets)?.Name);
    }

    [Fact]
    public void TagRule_KeyOnly_AppliesToAnyValue()
    {
        var policy = new ApprovalPolicy([new ApprovalRule("Pinned instances need approval", [], TagKey: "pinned")], TimeSpan.FromHours(1));

        Assert.NotNull(policy.RuleFor(ActionKind.StopInstances, Targets(1, "pinned=yes")));
        Assert.NotNull(policy.RuleFor(ActionKind.StopInstances, Targets(1, "pinned=no")));
        Assert.Null(policy.RuleFor(ActionKind.StopInstances, Targets(1, "env=pinned")));
    }

    [Fact]
    public void KindRule_OtherKinds_RunAtOnce()
    {
        var policy = new ApprovalPolicy([new ApprovalRule("Reboots need approval", [ActionKind.RebootInstances.Name])], TimeSpan.FromHours(1));

        Assert.NotNull(policy.RuleFor(ActionKind.RebootInstances, Targets(1)));
        Assert.Null(policy.RuleFor(ActionKind.StopInstances, Targets(1)));
    }

    [Fact]
    public void NoRules_NothingNeedsApproval()
    {
        Assert.Null(new ApprovalPolicy([], TimeSpan.FromHours(1)).RuleFor(ActionKind.TerminateInstances, Targets(100)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void New_LifetimeNotPositive_Throws(int minutes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApprovalPolicy([], TimeSpan.FromMinutes(minutes)));
    }
}
