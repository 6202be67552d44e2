using Bunit;
using MudBlazor;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Compliance;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

public sealed class ExceptionsPageTests : CompliancePageContext
{
    private const string Imds = "instance-imdsv1-allowed";

    private async Task<Finding> ExceptedAsync()
    {
        await ScanAsync();
        var finding = OpenFinding(Imds);
        Store.Waivers.Add(Waiver.Grant(Imds, finding.Id, null, null, "vendor agent until release 7", "ana", Start.AddDays(14), "paul", Start));
        Store.Waivers.Add(Waiver.Grant(Imds, finding.Id, null, null, "an old one", "ana", Start.AddDays(1), "paul", Start.AddDays(-3)));
        Clock.Advance(TimeSpan.FromDays(2));
        return finding;
    }

    [Fact]
    public async Task Exceptions_ViewerOfTheScope_SeesTheOneInForceAndTheCsvLink()
    {
        await ExceptedAsync();
        SignIn("vera", Role.Viewer, new Scope(SandboxAccount, "*"));

        var page = RenderPage<ExceptionsPage>();

        page.WaitForAssertion(() => Assert.Contains("vendor agent until release 7", page.Find("[data-testid=exceptions-grid]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("an old one", page.Find("[data-testid=exceptions-grid]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/compliance/exceptions.csv?active=true", page.Find("[data-testid=exceptions-csv]").GetAttribute("href"));
        Assert.NotNull(page.Find("[data-testid=exception-readonly]"));
    }

    [Fact]
    public async Task Exceptions_FilterExpired_ShowsTheExpiredOneOnly()
    {
        await ExceptedAsync();
        SignIn("vera", Role.Viewer, new Scope(SandboxAccount, "*"));
        var page = RenderPage<ExceptionsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=exception-expires]")));

        var select = page.FindComponents<MudSelect<bool?>>().Single();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(false));

        page.WaitForAssertion(() => Assert.Contains("(expired)", page.Find("[data-testid=exception-expires]").TextContent, StringComparison.Ordinal));
        Assert.Contains("an old one", page.Find("[data-testid=exceptions-grid]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/compliance/exceptions.csv?active=false", page.Find("[data-testid=exceptions-csv]").GetAttribute("href"));
    }

    [Fact]
    public async Task Exceptions_ViewerOfAnotherScope_SeesNone()
    {
        await ExceptedAsync();
        SignIn("otto", Role.Admin, new Scope("222222222222", "*"));

        var page = RenderPage<ExceptionsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exceptions-none]")));
        Assert.DoesNotContain("vendor agent", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantByTag_ExpiryInThePast_IsRefusedAtTheField_ThenAFutureOneWaitsForApprovalWithTheTaggedFindings()
    {
        await ScanAsync();
        SignIn("paul", Role.Approver, new Scope(SandboxAccount, "*"));
        var page = RenderPage<ExceptionsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exception-grant]")));
        var select = page.FindComponents<MudSelect<string>>().Single();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(Imds));
        var tagged = Store.Findings.First(f => f.PolicyId == Imds && f.Status == FindingStatus.Open && f.Tags.ContainsKey("env"));
        page.Find("[data-testid=exception-tag-key]").Change("env");
        page.Find("[data-testid=exception-tag-value]").Change(tagged.Tags["env"]);
        page.Find("[data-testid=exception-reason]").Change("accepted until the platform migration");
        page.Find("[data-testid=exception-expires]").Change("2026-01-01");

        page.Find("[data-testid=exception-grant]").Click();

        page.WaitForAssertion(() => Assert.Contains("must lie in the future", page.Find("[data-testid=exception-form]").TextContent, StringComparison.Ordinal));
        Assert.Empty(Approvals.All);

        page.Find("[data-testid=exception-expires]").Change("2027-01-31");
        page.Find("[data-testid=exception-grant]").Click();

        page.WaitForAssertion(() => Assert.Single(Approvals.All));
        var expected = Store.Findings.Where(f => f.PolicyId == Imds && f.Status == FindingStatus.Open && f.Tags.TryGetValue("env", out var v) && v.Equals(tagged.Tags["env"], StringComparison.OrdinalIgnoreCase))
            .Select(f => f.ResourceId).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Approvals.All[0].Targets.Select(t => t.Ref.InstanceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GrantByTag_CoveringFindingsOutsideTheScope_IsRefusedWithoutNamingThem()
    {
        await ScanAsync();
        var inRegion = Store.Findings.First(f => f.PolicyId == Imds && f.Status == FindingStatus.Open);
        var elsewhere = Store.Findings.First(f => f.PolicyId == Imds && f.Status == FindingStatus.Open && f.Region != inRegion.Region && f.Tags.Count > 0);
        var key = elsewhere.Tags.Keys.First();
        SignIn("paul", Role.Approver, new Scope(SandboxAccount, inRegion.Region));
        var page = RenderPage<ExceptionsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=exception-grant]")));
        var select = page.FindComponents<MudSelect<string>>().Single();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(Imds));
        page.Find("[data-testid=exception-tag-key]").Change(key);
        page.Find("[data-testid=exception-reason]").Change("everything, everywhere");
        page.Find("[data-testid=exception-expires]").Change("2027-01-31");

        page.Find("[data-testid=exception-grant]").Click();

        page.WaitForAssertion(() => Assert.Contains("outside your scopes", page.Find("[data-testid=exception-form]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(elsewhere.ResourceId, page.Markup, StringComparison.Ordinal);
        Assert.Empty(Approvals.All);
    }
}
