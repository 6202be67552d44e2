using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Layout;
using PortalOps.Web.Tests.Fakes;
using InboxPage = PortalOps.Web.Components.Pages.Inbox.Inbox;

namespace PortalOps.Web.Tests.Components.Pages.Inbox;

public sealed class InboxTests : PortalTestContext
{
    private readonly FakeInbox _inbox = new();

    public InboxTests() => Services.AddSingleton<IInbox>(_inbox);

    [Fact]
    public void Render_FailedApprovedAction_ShowsAFailureIcon()
    {
        var olga = SignIn("olga", Role.Operator);
        _inbox.Add(olga.Id, NotificationKind.ActionCompleted, "Approved action failed", "Terminate 1 instance(s): Terminate failed: UnauthorizedOperation", Clock.GetUtcNow());
        _inbox.Add(olga.Id, NotificationKind.ActionCompleted, "Approved action done", "Reboot 1 instance(s): Reboot accepted for 1 instance(s).", Clock.GetUtcNow().AddMinutes(-1));

        var page = RenderPage<InboxPage>();

        var icons = page.FindAll("[data-testid=inbox-icon]");
        Assert.Equal(["failed", "neutral"], icons.Select(i => i.GetAttribute("data-outcome")));
        Assert.Contains("mud-error-text", icons[0].ClassName, StringComparison.Ordinal);
        Assert.DoesNotContain("mud-error-text", icons[1].ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AlertNotification_ShowsLinksAndNoChatFormatting()
    {
        var olga = SignIn("olga", Role.Operator);
        var alertId = Guid.NewGuid();
        var title = "🔴 CPU high on 2 instance(s)";
        var body = "CPU above 90 %\n• web-01 (i-0001): 97 %\n• web-02 (i-0002): 95 %\nAlert: /monitoring/alerts/" + alertId;
        _inbox.Add(olga.Id, NotificationKind.Alert, title, body, Clock.GetUtcNow(), alertId: alertId);

        var page = RenderPage<InboxPage>();

        Assert.Equal("CPU high on 2 instance(s)", page.Find("[data-testid=inbox-title]").TextContent);
        var lines = page.FindAll("[data-testid=inbox-line]").Select(l => l.TextContent.Trim()).ToList();
        Assert.Equal(["CPU above 90 %", "web-01 (i-0001): 97 %", "web-02 (i-0002): 95 %", "Open alert"], lines);
        var link = page.Find("[data-testid=inbox-link]");
        Assert.Equal($"/monitoring/alerts/{alertId}", link.GetAttribute("href"));
        Assert.DoesNotContain("/monitoring/alerts/" + alertId, page.Find("[data-testid=inbox-item]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("•", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("🔴", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AlertDigestBody_AsTheInboxShowsIt_HasNoRawPath()
    {
        var olga = SignIn("alice", Role.Approver);
        var rule = new AlertRuleDraft { Name = "CPU high", ScopeValue = "*" }.ToRule(Guid.NewGuid(), olga, Clock.GetUtcNow(), MonitoringSettings.Default.CollectionPeriod);
        var member = new AlertMember(TestData.Instance(1).Ref, "web-01", Clock.GetUtcNow(), 97, "97 %");
        var alert = Alert.Open(rule, [member], Clock.GetUtcNow());
        _inbox.Add(olga.Id, NotificationKind.Alert, "🔴 CPU high", AlertDigest.BodyOf(alert), Clock.GetUtcNow(), alertId: alert.Id);

        var page = RenderPage<InboxPage>();

        Assert.Equal($"/monitoring/alerts/{alert.Id}", page.Find("[data-testid=inbox-link]").GetAttribute("href"));
        Assert.DoesNotContain("/monitoring/alerts/", page.Find("[data-testid=inbox-item]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bell_ThreeUnreadOfFour_ShowsThree()
    {
        var olga = SignIn("olga", Role.Operator);
        for (var i = 0; i < 4; i++)
        {
            _inbox.Add(olga.Id, NotificationKind.ApprovalDecided, "Request approved", "ok", Clock.GetUtcNow().AddMinutes(-i));
        }

        var first = (await _inbox.ListAsync(olga.Id, false, 0, 10)).Items[0];
        await _inbox.MarkReadAsync(olga.Id, first.Id);

        var bell = RenderPage<InboxBell>();

        bell.WaitForAssertion(() => Assert.Contains("3", bell.Find(".mud-badge").TextContent, StringComparison.Ordinal));
        Assert.Equal("Inbox, 3 unread", bell.Find("[data-testid=inbox-bell]").GetAttribute("aria-label"));
    }

    [Fact]
    public void Bell_NothingUnread_ShowsNoCount()
    {
        SignIn("olga", Role.Operator);

        var bell = RenderPage<InboxBell>();

        Assert.Empty(bell.FindAll(".mud-badge"));
        Assert.Equal("Inbox", bell.Find("[data-testid=inbox-bell]").GetAttribute("aria-label"));
    }
}
