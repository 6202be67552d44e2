using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using PortalOps.Web.Security;

namespace PortalOps.Web.Tests.Components.Pages;

public sealed class PagePoliciesTests
{
    [Theory]
    [InlineData(typeof(Web.Components.Pages.Approvals.Approvals), "/approvals", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Audit.Audit), "/audit", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Users.Users), "/users", Policies.Admin)]
    [InlineData(typeof(Web.Components.Pages.Profile.Profile), "/profile", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Instances.Instances), "/instances", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Monitoring.FleetHealth), "/monitoring", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Monitoring.Alerts), "/monitoring/alerts", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Monitoring.AlertPage), "/monitoring/alerts/{Id:guid}", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Monitoring.Rules), "/monitoring/rules", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Monitoring.Maintenance), "/monitoring/maintenance", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Telegram.TelegramAdmin), "/telegram", Policies.Admin)]
    [InlineData(typeof(Web.Components.Pages.Instances.Launch.LaunchWizard), "/instances/launch", Policies.Operator)]
    [InlineData(typeof(Web.Components.Pages.Instances.Detail.InstanceDetail), "/instances/{AccountId}/{Region}/{InstanceId}", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Instances.Templates.LaunchTemplatesPage), "/instances/templates", Policies.Operator)]
    [InlineData(typeof(Web.Components.Pages.Instances.Leftovers.Leftovers), "/instances/leftovers", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Admin.ApprovalRules), "/admin/approval-rules", Policies.Admin)]
    [InlineData(typeof(Web.Components.Pages.Compliance.ComplianceOverview), "/compliance", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Backups.BackupsPage), "/backups", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Scaling.OffHoursPage), "/scaling/off-hours", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Backups.InstanceRecoveryPage), "/backups/instances/{AccountId}/{Region}/{InstanceId}", Policies.Viewer)]
    [InlineData(typeof(Web.Components.Pages.Backups.RestoreWizard), "/backups/restore/{AccountId}/{Region}/{Id}", Policies.Operator)]
    public void Page_Route_HasItsPolicy(Type page, string route, string policy)
    {
        Assert.Equal(route, page.GetCustomAttribute<RouteAttribute>()?.Template);
        Assert.Equal(policy, page.GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }

    [Fact]
    public void EveryRoutablePage_SaysWhoMayOpenIt()
    {
        var pages = typeof(Policies).Assembly.GetTypes().Where(t => t.GetCustomAttributes<RouteAttribute>().Any()).ToList();

        Assert.NotEmpty(pages);
        Assert.All(pages, p => Assert.True(
            p.GetCustomAttribute<AuthorizeAttribute>() is not null || p.GetCustomAttribute<AllowAnonymousAttribute>() is not null,
            $"{p.Name} has neither [Authorize] nor [AllowAnonymous]."));
    }
}
