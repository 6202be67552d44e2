using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Actions;

public class AuthorizerTests
{
    private static readonly ResolvedTarget ProdWeb = Make.Target("i-0prodweb", Make.ProdAccount, "eu-west-1", "env=prod", "team=web");
    private static readonly ResolvedTarget DevDb = Make.Target("i-0devdb", Make.DevAccount, "us-east-1", "env=dev");

    [Theory]
    [InlineData(Role.Operator)]
    [InlineData(Role.Admin)]
    public void Authorize_ActorWithoutScopes_IsDeniedWhateverTheRole(Role role)
    {
        var actor = Make.Actor("nobody", role);

        var decision = Authorizer.Authorize(actor, ActionKind.StopInstances, [ProdWeb]);

        Assert.False(decision.Allowed);
        Assert.Contains("outside nobody's scope", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_ViewerEverywhere_IsDeniedForRole()
    {
        var viewer = Make.Actor("vera", Role.Viewer, Scope.Everything);

        var decision = Authorizer.Authorize(viewer, ActionKind.StopInstances, [ProdWeb]);

        Assert.False(decision.Allowed);
        Assert.Equal("vera is Viewer; Stop needs Operator or higher.", decision.Reason);
    }

    [Theory]
    [InlineData(Role.Operator)]
    [InlineData(Role.Approver)]
    [InlineData(Role.Admin)]
    public void Authorize_RoleAtOrAboveMinimumInScope_IsAllowed(Role role)
    {
        var actor = Make.Actor("olga", role, Scope.Everything);

        var decision = Authorizer.Authorize(actor, ActionKind.TerminateInstances, [ProdWeb, DevDb]);

        Assert.True(decision.Allowed);
        Assert.Null(decision.Reason);
    }

    [Fact]
    public void Authorize_KindNeedingAdmin_DeniesApprover()
    {
        var kind = new ActionKind("fleet.rotate-keys", Role.Admin, "Rotate keys of");
        var approver = Make.Actor("alice", Role.Approver, Scope.Everything);

        var decision = Authorizer.Authorize(approver, kind, [ProdWeb]);

        Assert.False(decision.Allowed);
        Assert.Contains("needs Admin", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_TargetInAnotherAccount_IsDeniedAndNamed()
    {
        var op = Make.Actor("olga", Role.Operator, $"{Make.ProdAccount}/*");

        var decision = Authorizer.Authorize(op, ActionKind.StopInstances, [ProdWeb, DevDb]);

        Assert.False(decision.Allowed);
        Assert.Equal("1 target(s) are outside olga's scope: i-0devdb.", decision.Reason);
    }

    [Fact]
    public void Authorize_TargetInAnotherRegion_IsDenied()
    {
        var op = Make.Actor("olga", Role.Operator, "*/us-east-1");

        var decision = Authorizer.Authorize(op, ActionKind.StopInstances, [ProdWeb]);

        Assert.False(decision.Allowed);
        Assert.Contains("i-0prodweb", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*/*/team=db")] // wrong value
    [InlineData("*/*/owner")] // key absent
    public void Authorize_TargetWithoutTheScopedTag_IsDenied(string scope)
    {
        var op = Make.Actor("olga", Role.Operator, scope);

        var decision = Authorizer.Authorize(op, ActionKind.RebootInstances, [ProdWeb]);

        Assert.False(decision.Allowed);
    }

    [Fact]
    public void Authorize_TargetWithTheScopedTag_IsAllowed()
    {
        var op = Make.Actor("olga", Role.Operator, "*/*/team=WEB");

        Assert.True(Authorizer.Authorize(op, ActionKind.RebootInstances, [ProdWeb]).Allowed);
    }

    [Fact]
    public void Authorize_EachTargetCoveredByADifferentScope_IsAllowed()
    {
        var op = Make.Actor("olga", Role.Operator, Scope.Parse($"{Make.ProdAccount}/eu-west-1"), Scope.Parse($"{Make.DevAccount}/us-east-1"));

        Assert.True(Authorizer.Authorize(op, ActionKind.StartInstances, [ProdWeb, DevDb]).Allowed);
    }

    [Fact]
    public void Authorize_ManyTargetsOutside_CountsAllAndNamesAtMostFive()
    {
        var op = Make.Actor("olga", Role.Operator, $"{Make.ProdAccount}/*");
        var outside = Enumerable.Range(1, 7).Select(n => Make.Target($"i-dev{n}", Make.DevAccount)).ToList();

        var decision = Authorizer.Authorize(op, ActionKind.StopInstances, [ProdWeb, .. outside]);

        Assert.False(decision.Allowed);
        Assert.StartsWith("7 target(s) are outside", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("i-dev5", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("i-dev6", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_NoTargets_IsDenied()
    {
        var admin = Make.Actor("dave", Role.Admin, Scope.Everything);

        var decision = Authorizer.Authorize(admin, ActionKind.StopInstances, []);

        Assert.False(decision.Allowed);
        Assert.Equal("No targets were given.", decision.Reason);
    }

    [Fact]
    public void Authorize_SystemActor_IsDenied()
    {
        Assert.False(Authorizer.Authorize(Actor.System(), ActionKind.StopInstances, [ProdWeb]).Allowed);
    }

    private static ApprovalRequest RequestBy(Actor requester, params ResolvedTarget[] targets) =>
        new(Guid.NewGuid(), ActionKind.TerminateInstances, targets, new Dictionary<string, string>(), requester, "Terminate needs approval", null, Make.Now, TimeSpan.FromHours(1));

    [Theory]
    [InlineData(Role.Viewer)]
    [InlineData(Role.Operator)]
    public void AuthorizeDecision_RoleBelowApprover_IsDenied(Role role)
    {
        var request = RequestBy(Make.Actor("olga", Role.Operator, Scope.Everything), ProdWeb);
        var decider = Make.Actor("pete", role, Scope.Everything);

        var decision = Authorizer.AuthorizeDecision(decider, request);

        Assert.False(decision.Allowed);
        Assert.Equal($"pete is {role}; deciding needs Approver or higher.", decision.Reason);
    }

    [Theory]
    [InlineData(Role.Approver)]
    [InlineData(Role.Admin)]
    public void AuthorizeDecision_AnotherApproverInScope_IsAllowed(Role role)
    {
        var request = RequestBy(Make.Actor("olga", Role.Operator, Scope.Everything), ProdWeb, DevDb);

        Assert.True(Authorizer.AuthorizeDecision(Make.Actor("alice", role, Scope.Everything), request).Allowed);
    }

    [Fact]
    public void AuthorizeDecision_Requester_IsDeniedEvenAsAdmin()
    {
        var admin = Make.Actor("dave", Role.Admin, Scope.Everything);
        var request = RequestBy(admin, ProdWeb);

        var decision = Authorizer.AuthorizeDecision(admin, request);

        Assert.False(decision.Allowed);
        Assert.Equal("Nobody approves their own request.", decision.Reason);
    }

    [Theory]
    [InlineData("123456789012/*")] // DevDb is in another account
    [InlineData("*/eu-west-1")] // DevDb is in another region
    [InlineData("*/*/team=web")] // DevDb lacks the tag
    public void AuthorizeDecision_ApproverWhoseScopeMissesATarget_IsDenied(string scope)
    {
        var request = RequestBy(Make.Actor("olga", Role.Operator, Scope.Everything), ProdWeb, DevDb);
        var approver = Make.Actor("bob", Role.Approver, scope);

        var decision = Authorizer.AuthorizeDecision(approver, request);

        Assert.False(decision.Allowed);
        Assert.Equal("1 target(s) are outside bob's scope.", decision.Reason);
    }

    [Fact]
    public void AuthorizeDecision_ApproverWithoutScopes_IsDenied()
    {
        var request = RequestBy(Make.Actor("olga", Role.Operator, Scope.Everything), ProdWeb);

        Assert.False(Authorizer.AuthorizeDecision(Make.Actor("bob", Role.Approver), request).Allowed);
    }

    [Theory]
    [InlineData("team", "payments")] // moves the instance out of the scope
    [InlineData(null, null)] // removes the tag the scope rests on
    public void Authorize_TagEditThatTakesTheInstanceOutOfScope_IsDenied(string? newKey, string? newValue)
    {
        var actor = Make.Actor("wendy", Role.Operator, new Scope("*", "*", "team", "web"));
        var parameters = newKey is null
            ? InstanceSettingsExecutor.TagChanges(new Dictionary<string, string>(), ["team"])
            : InstanceSettingsExecutor.TagChanges(new Dictionary<string, string> { [newKey] = newValue! }, []);

        var decision = Authorizer.Authorize(actor, ActionKind.EditTags, [ProdWeb], parameters);

        Assert.False(decision.Allowed);
        Assert.Equal("After this tag edit 1 instance(s) would be outside wendy's scope: i-0prodweb.", decision.Reason);
    }

    [Fact]
    public void Authorize_TagEditThatBringsAnInstanceIntoScope_IsDeniedOnTheTagsBefore()
    {
        var actor = Make.Actor("wendy", Role.Operator, new Scope("*", "*", "team", "web"));
        var parameters = InstanceSettingsExecutor.TagChanges(new Dictionary<string, string> { ["team"] = "web" }, []);

        var decision = Authorizer.Authorize(actor, ActionKind.EditTags, [DevDb], parameters);

        Assert.False(decision.Allowed);
        Assert.Contains("outside wendy's scope", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_TagEditWithinScopeBeforeAndAfter_IsAllowed()
    {
        var actor = Make.Actor("wendy", Role.Operator, new Scope("*", "*", "team", "web"));
        var parameters = InstanceSettingsExecutor.TagChanges(new Dictionary<string, string> { ["owner"] = "wendy" }, ["env"]);

        Assert.True(Authorizer.Authorize(actor, ActionKind.EditTags, [ProdWeb], parameters).Allowed);
    }
}
