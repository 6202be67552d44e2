using Bunit;
using MudBlazor;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using AuditPage = PortalOps.Web.Components.Pages.Audit.Audit;

namespace PortalOps.Web.Tests.Components.Pages.Audit;

public sealed class AuditTests : PortalTestContext
{
    // An Admin reads the whole log; what a scoped Viewer reads is the scope matrix's (Security/ScopeMatrixTests).
    public AuditTests() => SignIn("vera", Role.Admin);

    [Fact]
    public async Task VerifyChain_AdminStartsTheJob_ShowsProgressThenIntactWithTheCount()
    {
        SignIn("dave", Role.Admin);
        await AppendAsync(3);
        var page = RenderPage<AuditPage>();

        page.Find("[data-testid=verify-chain]").Click();

        page.WaitForAssertion(() => Assert.Equal("Verifying: 0 of 3 records checked…", page.Find("[data-testid=verify-progress-text]").TextContent.Trim()));
        Assert.Equal("dave", Assert.Single(AuditVerification.Runs).StartedByName);
        Clock.Advance(AuditPage.PollInterval);
        page.WaitForAssertion(() => Assert.Equal("Intact: 3 records checked.", page.Find("[data-testid=verify-result]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=verify-progress]"));
    }

    [Fact]
    public async Task VerifyChain_RecordAlteredAfterWriting_ShowsTheBrokenSequence()
    {
        SignIn("dave", Role.Admin);
        await AppendAsync(5);
        AuditLog.Tamper(3, e => e with { Outcome = AuditOutcome.Succeeded, Detail = "nothing to see" });
        var page = RenderPage<AuditPage>();

        page.Find("[data-testid=verify-chain]").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=verify-progress]")));
        Clock.Advance(AuditPage.PollInterval);

        page.WaitForAssertion(() => Assert.Equal(
            "Broken at record 3: Record 3 was altered after it was written.",
            page.Find("[data-testid=verify-result]").TextContent.Trim()));
    }

    [Fact]
    public async Task VerifyChain_Viewer_HasNoButtonAndRunsNothing()
    {
        SignIn("vera", Role.Viewer, Scope.Everything);
        await AppendAsync(3, Footprint.Of("123456789012", "eu-west-1", null));

        var page = RenderPage<AuditPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=audit-sequence]").Count));
        Assert.Empty(page.FindAll("[data-testid=verify-chain]"));
        Assert.Empty(AuditVerification.Runs);
    }

    [Fact]
    public async Task Render_SixtyRecords_ShowsTheNewestPageFromTheServer()
    {
        await AppendAsync(60);

        var page = RenderPage<AuditPage>();

        page.WaitForAssertion(() => Assert.Equal(50, page.FindAll("[data-testid=audit-sequence]").Count));
        Assert.Equal("60", page.FindAll("[data-testid=audit-sequence]")[0].TextContent);
        var query = AuditLog.Queries[^1];
        Assert.Equal((0, 50), (query.PageIndex, query.PageSize));
    }

    [Fact]
    public async Task Filters_EveryField_ReachesTheAuditQueryAndTheCsvLink()
    {
        await AppendAsync(2);
        await AuditLog.AppendAsync(new AuditEvent("olga", null, Channel.Telegram, "instances.stop", "i-1", AuditOutcome.Denied, "outside scope"));
        var page = RenderPage<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=audit-sequence]").Count));

        page.Find("input[data-testid=filter-text]").Change("scope");
        page.Find("input[data-testid=filter-actor]").Change("olga");
        page.Find("input[data-testid=filter-action]").Change("instances.");
        await page.InvokeAsync(() => page.FindComponent<MudSelect<AuditOutcome?>>().Instance.ValueChanged.InvokeAsync(AuditOutcome.Denied));
        await page.InvokeAsync(() => page.FindComponent<MudSelect<Channel?>>().Instance.ValueChanged.InvokeAsync(Channel.Telegram));
        var dates = page.FindComponents<MudDatePicker>();
        await page.InvokeAsync(() => dates[0].Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 24)));
        await page.InvokeAsync(() => dates[1].Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 25)));

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=audit-sequence]")));
        var query = AuditLog.Queries[^1];
        Assert.Equal("scope", query.Text);
        Assert.Equal("olga", query.Actor);
        Assert.Equal("instances.", query.Action);
        Assert.Equal(AuditOutcome.Denied, query.Outcome);
        Assert.Equal(Channel.Telegram, query.Channel);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), query.From);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero).AddTicks(-1), query.To);
        Assert.Equal(0, query.PageIndex);

        var link = page.Find("[data-testid=download-csv]");
        Assert.Equal("a", link.TagName, StringComparer.OrdinalIgnoreCase);
        Assert.NotNull(link.GetAttribute("download"));
        var href = link.GetAttribute("href");
        Assert.StartsWith("/audit/export.csv?", href, StringComparison.Ordinal);
        Assert.Contains("text=scope", href, StringComparison.Ordinal);
        Assert.Contains("actor=olga", href, StringComparison.Ordinal);
        Assert.Contains("action=instances.", href, StringComparison.Ordinal);
        Assert.Contains("outcome=Denied", href, StringComparison.Ordinal);
        Assert.Contains("channel=Telegram", href, StringComparison.Ordinal);
        Assert.Contains("from=2026-11-24T00%3A00%3A00.0000000%2B00%3A00", href, StringComparison.Ordinal);
        Assert.Contains("to=2026-11-25T23%3A59%3A59.9999999%2B00%3A00", href, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClearFilters_AfterFiltering_QueriesEverythingAgain()
    {
        await AppendAsync(4);
        var page = RenderPage<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=audit-sequence]").Count));
        page.Find("input[data-testid=filter-actor]").Change("nobody");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=audit-sequence]")));

        page.Find("[data-testid=filter-clear]").Click();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=audit-sequence]").Count));
        Assert.Null(AuditLog.Queries[^1].Actor);
        Assert.Equal("/audit/export.csv", page.Find("[data-testid=download-csv]").GetAttribute("href"));
    }

    private async Task AppendAsync(int count, Footprint? where = null)
    {
        for (var i = 0; i < count; i++)
        {
            await AuditLog.AppendAsync(new AuditEvent("alice", null, Channel.Web, "instances.reboot", $"i-{i}", AuditOutcome.Succeeded, $"event {i}", AwsRequestId: $"req-{i}") { Where = where });
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
    }
}
