using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Instances.Detail;

namespace PortalOps.Web.Tests.Components.Pages.Instances;

/// <summary>The instance page's drain line: live while a drain of this instance runs, then its outcome.</summary>
public sealed class DrainStatusTests : PortalTestContext
{
    private static readonly InstanceRef Web1 = new("111111111111", "eu-west-1", "i-0aaaaaaaaaaaaaaa1");
    private static readonly InstanceRef Other = new("111111111111", "eu-west-1", "i-0bbbbbbbbbbbbbbb1");
    private readonly DrainProgressFeed feed;

    public DrainStatusTests()
    {
        feed = new DrainProgressFeed(Clock);
        Services.AddSingleton(feed);
    }

    [Fact]
    public async Task Drain_ShowsHowItGoesWhileItRuns_ThenTheOutcome()
    {
        SignIn("olga", Role.Operator, Scope.Everything);
        var line = RenderPage<DrainStatus>(p => p.Add(x => x.Instance, Web1));
        Assert.Empty(line.FindAll("[data-testid=drain-progress]"));

        await feed.ReportAsync(new DrainProgress([Web1], "prod-web", 2, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)));
        line.WaitForAssertion(() => Assert.Contains("Draining from prod-web: 1 of 2 still draining after 10 s of up to 30 s", line.Find("[data-testid=drain-progress-text]").TextContent, StringComparison.Ordinal));

        await feed.ReportAsync(new DrainProgress([Web1], "prod-web", 2, 0, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), "Drained from prod-web in 30 s (deregistration delay 30 s)."));
        line.WaitForAssertion(() => Assert.Contains("Drained from prod-web in 30 s", line.Find("[data-testid=drain-outcome]").TextContent, StringComparison.Ordinal));
        Assert.Empty(line.FindAll("[data-testid=drain-progress]"));
    }

    [Fact]
    public async Task AnotherInstancesDrain_IsNotShown()
    {
        SignIn("olga", Role.Operator, Scope.Everything);
        var line = RenderPage<DrainStatus>(p => p.Add(x => x.Instance, Web1));

        await feed.ReportAsync(new DrainProgress([Other], "prod-web", 1, 1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)));

        Assert.Empty(line.FindAll("[data-testid=drain-progress]"));
        Assert.DoesNotContain("prod-web", line.Markup, StringComparison.Ordinal);
    }
}
