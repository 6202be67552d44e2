using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Sandbox;
using PortalOps.Web.Components.Pages.LoadBalancing;

namespace PortalOps.Web.Tests.Components.Pages.LoadBalancing;

/// <summary>The load balancing pages over the sandbox's load balancers, looked at by people who may and who must not see or act.</summary>
public sealed class LoadBalancingPagesTests : SandboxPortalTestContext
{
    private const string Region = "eu-west-1";

    public LoadBalancingPagesTests()
    {
        var elb = new SandboxLoadBalancing(Sandbox, Clock, FleetEvents);
        Services.AddSingleton<ILoadBalancing>(elb);
        Services.AddSingleton(new LoadBalancingSettings());
        Services.AddSingleton<LoadBalancingReads>();
        Services.AddScoped<IActionExecutor, TargetRegistrationExecutor>();
    }

    [Fact]
    public void List_ViewerEverywhere_SeesBothRegionsLoadBalancersHealthAndCsvLink()
    {
        SignIn("vera", Role.Viewer, Scope.Everything);

        var page = RenderPage<LoadBalancers>();

        page.WaitForAssertion(() => Assert.Equal(6, page.FindAll("[data-testid=lb-name]").Count));
        Assert.Contains(page.FindAll("[data-testid=lb-name]"), a => a.TextContent == "prod-cache");
        Assert.Contains("healthy", page.Find("[data-testid=lb-health]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/load-balancing/load-balancers.csv", page.Find("[data-testid=lb-csv]").GetAttribute("href"));
    }

    [Fact]
    public void List_ViewerScopedToStaging_SeesOnlyStagingLoadBalancers()
    {
        SignIn("sam", Role.Viewer, new Scope(Account, "*", "env", "staging"));

        var page = RenderPage<LoadBalancers>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=lb-name]").Count));
        Assert.All(page.FindAll("[data-testid=lb-name]"), a => Assert.Equal("staging-web", a.TextContent));
        Assert.DoesNotContain("prod-web", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_Viewer_SeesListenersRulesDelayAndHealthButNoButtons()
    {
        SignIn("vera", Role.Viewer, Scope.Everything);

        var page = RenderPage<LoadBalancerPage>(p => p.Add(x => x.AccountId, Account).Add(x => x.Region, Region).Add(x => x.Name, "prod-web"));

        page.WaitForAssertion(() => Assert.Equal("prod-web", page.Find("[data-testid=lb-title]").TextContent));
        Assert.Contains("path-pattern: /api/*", page.Find("[data-testid=lb-listeners]").TextContent, StringComparison.Ordinal);
        Assert.Contains(page.FindAll("[data-testid=tg-delay]"), d => d.TextContent.Contains("deregistration delay 30 s", StringComparison.Ordinal));
        Assert.NotEmpty(page.FindAll("[data-testid=tg-target]"));
        Assert.Empty(page.FindAll("[data-testid=tg-deregister]"));
        Assert.Empty(page.FindAll("[data-testid=tg-register]"));
    }

    [Fact]
    public void Detail_PersonOfAnotherScope_IsToldThereIsNothingToSee()
    {
        SignIn("otto", Role.Operator, new Scope("999999999999", "*"));

        var page = RenderPage<LoadBalancerPage>(p => p.Add(x => x.AccountId, Account).Add(x => x.Region, Region).Add(x => x.Name, "prod-web"));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=lb-not-found]")));
        Assert.Empty(page.FindAll("[data-testid=tg-target]"));
        Assert.DoesNotContain("elb.amazonaws.com", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_OperatorDeregisters_TheRequestGoesThroughThePipelineAndIsAudited()
    {
        SignIn("olga", Role.Operator, Scope.Everything);
        var page = RenderPage<LoadBalancerPage>(p => p.Add(x => x.AccountId, Account).Add(x => x.Region, Region).Add(x => x.Name, "prod-web"));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=tg-deregister]")));

        page.FindAll("[data-testid=tg-deregister]")[0].Click();

        page.WaitForAssertion(() => Assert.Contains("Deregistered (draining)", page.Find("[data-testid=tg-outcome]").TextContent, StringComparison.Ordinal));
        var audited = Assert.Single(AuditLog.Records, r => r.Event.Action == "loadbalancing.deregister-targets");
        Assert.Equal("olga", audited.Event.ActorName);
        Assert.StartsWith("sandbox-elb-", audited.Event.AwsRequestId, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=tg-target]"), t => t.TextContent.Contains("draining", StringComparison.Ordinal)));
    }

    [Fact]
    public void Detail_RegisterWithABadInstanceId_NamesItAtTheFieldAndSendsNothing()
    {
        SignIn("olga", Role.Operator, Scope.Everything);
        var page = RenderPage<LoadBalancerPage>(p => p.Add(x => x.AccountId, Account).Add(x => x.Region, Region).Add(x => x.Name, "prod-cache"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=tg-register]")));

        page.Find("input[data-testid=tg-register-input]").Change("web-1");
        page.Find("[data-testid=tg-register]").Click();

        page.WaitForAssertion(() => Assert.Contains("'web-1' is not an instance id", page.Markup, StringComparison.Ordinal));
        Assert.Empty(AuditLog.Records);
    }
}
