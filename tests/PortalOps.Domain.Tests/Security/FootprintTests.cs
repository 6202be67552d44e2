using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Security;

public sealed class FootprintTests
{
    private static readonly Dictionary<string, string> Dev = new() { ["env"] = "dev", ["team"] = "web" };
    private static readonly Dictionary<string, string> DevOtherTeam = new() { ["env"] = "DEV", ["team"] = "db" };

    private static Actor Person(Role role, params string[] scopes) => new(Guid.NewGuid(), "p", role, scopes.Select(Scope.Parse).ToList(), Channel.Web);

    [Fact]
    public void Common_TwoRegions_KeepsSharedTagsAndBlanksTheRegion()
    {
        var common = Footprint.Common([Footprint.Of("123456789012", "eu-west-1", Dev), Footprint.Of("123456789012", "us-east-1", DevOtherTeam)])!;

        Assert.Equal("123456789012", common.Account);
        Assert.Equal(string.Empty, common.Region);
        Assert.Equal(["env"], common.Tags.Keys);
    }

    [Fact]
    public void MaySee_BulkRecordAcrossRegions_NeedsOneScopeOverAll()
    {
        var both = Footprint.Common([Footprint.Of("123456789012", "eu-west-1", Dev), Footprint.Of("123456789012", "us-east-1", Dev)]);

        Assert.False(Authorizer.MaySee(Person(Role.Viewer, "123456789012/eu-west-1", "123456789012/us-east-1"), both));
        Assert.True(Authorizer.MaySee(Person(Role.Viewer, "123456789012/*/env=dev"), both));
        Assert.False(Authorizer.MaySee(Person(Role.Admin, "123456789012/*/env=prod"), both));
        Assert.False(Authorizer.MaySee(Person(Role.Admin, "*/*"), (Footprint?)null));
    }

    [Fact]
    public void TagsText_RoundTrips_AndNeedlesMatchLikeScopes()
    {
        var footprint = Footprint.Of("123456789012", "eu-west-1", new Dictionary<string, string> { ["env"] = "Dev", ["a=b"] = "c" });

        var stored = Footprint.FromStored(footprint.Account, footprint.Region, footprint.TagsText);

        Assert.Equal("dev", stored.Tags["env"]);
        Assert.Contains(Footprint.Needle(Scope.Parse("*/*/env=DEV"))!, footprint.TagsText, StringComparison.Ordinal);
        Assert.Contains(Footprint.Needle(Scope.Parse("*/*/env"))!, footprint.TagsText, StringComparison.Ordinal);
        Assert.DoesNotContain(Footprint.Needle(Scope.Parse("*/*/a=b=c"))!, footprint.TagsText, StringComparison.Ordinal);
        Assert.DoesNotContain(Footprint.Needle(Scope.Parse("*/*/env=de"))!, footprint.TagsText, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditReadScope_ViewerOwnAndCovered_AdminEverything()
    {
        var viewer = Person(Role.Viewer, "123456789012/eu-west-1/env=dev");
        var covered = Record(Guid.NewGuid(), Footprint.Of("123456789012", "eu-west-1", Dev));
        var system = Record(null, null);
        var own = Record(viewer.UserId, null);

        Assert.True(Authorizer.MaySee(viewer, covered));
        Assert.False(Authorizer.MaySee(viewer, system));
        Assert.True(Authorizer.MaySee(viewer, own));
        Assert.True(Authorizer.MaySee(Person(Role.Admin), system));
    }

    [Fact]
    public void AuthorizeMaintenance_TagAcrossEveryRegion_RefusedToARegionScope_InstanceAllowed()
    {
        var operatorPerson = Person(Role.Operator, "123456789012/eu-west-1/env=dev");
        var instance = Make.Instance("i-0123456789abcdef0", region: "eu-west-1", tags: ["env=dev", "team=web"]);

        Assert.False(Authorizer.AuthorizeMaintenance(operatorPerson, new RuleScope(ScopeKind.Tag, "env=dev").Footprint()).Allowed);
        Assert.False(Authorizer.AuthorizeMaintenance(operatorPerson, new RuleScope(ScopeKind.Account, "*").Footprint()).Allowed);
        Assert.True(Authorizer.AuthorizeMaintenance(operatorPerson, new RuleScope(ScopeKind.Instance, instance.InstanceId).Footprint(instance)).Allowed);
        Assert.False(Authorizer.AuthorizeMaintenance(Person(Role.Viewer, "*/*"), new RuleScope(ScopeKind.Tag, "env=dev").Footprint()).Allowed);
        Assert.True(Authorizer.AuthorizeMaintenance(Person(Role.Operator, "*/*"), new RuleScope(ScopeKind.Tag, "env=dev").Footprint()).Allowed);
    }

    [Fact]
    public void AuthorizeAdministration_OnlyAdmins()
    {
        Assert.False(Authorizer.AuthorizeAdministration(Person(Role.Approver, "*/*"), "managing users").Allowed);
        Assert.Contains("needs Admin", Authorizer.AuthorizeAdministration(Person(Role.Approver, "*/*"), "managing users").Reason, StringComparison.Ordinal);
        Assert.True(Authorizer.AuthorizeAdministration(Person(Role.Admin), "managing users").Allowed);
    }

    private static AuditRecord Record(Guid? actor, Footprint? where) =>
        new(1, DateTimeOffset.UnixEpoch, new AuditEvent("x", actor, Channel.Web, "instances.stop", "t", AuditOutcome.Succeeded) { Where = where }, AuditChain.Genesis, AuditChain.Genesis);
}
