using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using static PortalOps.Domain.Tests.Compliance.Resources;

namespace PortalOps.Domain.Tests.Compliance;

public sealed class PolicyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_OneInventory_ReportsViolationsWithEvidenceAndTalliesPerScope()
    {
        var inventory = new ComplianceInventory(
            [Volume("vol-a", encrypted: false), Volume("vol-b", encrypted: true), Volume("vol-c", encrypted: false, West)],
            [East, West]);

        var result = PolicyEvaluator.Evaluate([Unencrypted], inventory, Context(Now));

        Assert.Equal(["vol-a", "vol-c"], result.Violations.Select(v => v.Resource.Id).Order());
        Assert.All(result.Violations, v => Assert.Equal("encrypted is false", v.Evidence));
        var east = Assert.Single(result.Tallies, t => t.Scope == East);
        Assert.Equal((2, 1), (east.Evaluated, east.Violating));
        Assert.Equal(50, ComplianceScore.Of(result.Tallies).ByScope.Single(s => s.Group == East.ToString()).Percent);
    }

    [Fact]
    public void Evaluate_DisabledPolicy_IsNotEvaluatedSoItsFindingsAreNotResolved()
    {
        var inventory = new ComplianceInventory([Volume("vol-a", encrypted: false)], [East]);

        var result = PolicyEvaluator.Evaluate([Unencrypted with { Enabled = false }], inventory, Context(Now));

        Assert.Empty(result.Violations);
        Assert.DoesNotContain("volume-unencrypted", result.PoliciesEvaluated);
    }

    [Fact]
    public void Match_AllFiltersMustHold_EvidenceJoinsThem()
    {
        var policy = new Policy("prod-old", "Old prod", ResourceType.Instance, Severity.Low, "",
            [new TagFilter("env", "prod", Absent: false), new AgeFilter(ResourceFields.LaunchTime, 90)]);
        var old = Instance("i-old", Now.AddDays(-100), tags: new() { ["env"] = "PROD" });
        var young = Instance("i-young", Now.AddDays(-10), tags: new() { ["env"] = "prod" });
        var dev = Instance("i-dev", Now.AddDays(-100), tags: new() { ["env"] = "dev" });

        Assert.Equal("tag env is PROD; launch-time 2026-02-21 is 100 days ago (limit 90)", policy.Match(old, Context(Now)));
        Assert.Null(policy.Match(young, Context(Now)));
        Assert.Null(policy.Match(dev, Context(Now)));
    }

    [Fact]
    public void MissingTags_Required_UsesTheConfiguredKeysAndNamesTheMissingOnes()
    {
        var filter = new MissingTagsFilter([], Required: true);
        var resource = Instance("i-1", Now, tags: new() { ["Owner"] = "ana", ["CostCenter"] = " " });

        Assert.Equal("missing tags: CostCenter, Project", filter.Match(resource, Context(Now, "Owner", "CostCenter", "Project")));
        Assert.Null(filter.Match(resource, Context(Now)));
    }

    [Theory]
    [InlineData("tcp", 22, 22, "0.0.0.0/0", 22, true)]
    [InlineData("tcp", 0, 1024, "::/0", 22, true)]
    [InlineData("-1", null, null, "0.0.0.0/0", 3389, true)]
    [InlineData("tcp", 22, 22, "10.0.0.0/8", 22, false)]
    [InlineData("tcp", 443, 443, "0.0.0.0/0", 22, false)]
    public void WorldOpen_Port_MatchesOnlyRulesOpenToTheInternetCoveringIt(string protocol, int? from, int? to, string source, int port, bool expected)
    {
        var group = Group("sg-1", new SecurityRule(protocol, from, to, [source]));

        Assert.Equal(expected, new WorldOpenFilter([port]).Match(group, Context(Now)) is not null);
    }

    [Fact]
    public void WorldOpen_Any_MatchesAnyWorldRuleButNotPrivateOnes()
    {
        Assert.NotNull(new WorldOpenFilter([]).Match(Group("sg-1", new SecurityRule("tcp", 443, 443, ["0.0.0.0/0"])), Context(Now)));
        Assert.Null(new WorldOpenFilter([]).Match(Group("sg-2", new SecurityRule("tcp", 443, 443, ["sg-123"])), Context(Now)));
    }

    [Fact]
    public void FieldFilter_MissingField_NeverMatches()
    {
        var unknown = new ComplianceResource(ResourceType.Instance, East, "i-1", "i-1", new Dictionary<string, string>(), new Dictionary<string, object>());

        Assert.Null(ImdsV1.Match(unknown, Context(Now)));
        Assert.Null(new FieldFilter(ResourceFields.ImdsV2Required, FieldOperator.NotEquals, [true]).Match(unknown, Context(Now)));
    }

    [Fact]
    public void Evaluate_TenThousandInstancesTwentyPolicies_FindsEveryViolationOfEachPolicy()
    {
        var fleet = Enumerable.Range(0, 10_000).Select(i => Instance($"i-{i:D5}", Now.AddDays(-(i % 400)), imdsV2: i % 3 == 0,
            tags: new() { ["env"] = i % 2 == 0 ? "prod" : "dev" })).ToList();
        var policies = Enumerable.Range(0, 20).Select(i => ImdsV1 with { Id = $"p-{i}" }).ToList();
        var inventory = new ComplianceInventory(fleet, [East]);

        var result = PolicyEvaluator.Evaluate(policies, inventory, Context(Now));

        Assert.Equal(20 * fleet.Count(f => !(bool)f.Fields[ResourceFields.ImdsV2Required]), result.Violations.Count);
        Assert.Equal(20 * 10_000, result.Tallies.Sum(t => t.Evaluated));
    }
}
