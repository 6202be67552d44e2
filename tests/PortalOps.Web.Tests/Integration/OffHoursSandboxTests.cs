using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Integration;

/// <summary>On first start the Sandbox has two off-hours schedules attached to simulated resources, shown to those whose scope covers them.</summary>
public sealed class OffHoursSandboxTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task OffHoursPage_OnFirstStart_ShowsTheSandboxSchedules_OnlyToThoseInScope()
    {
        await portal.CreateUserAsync("offhours-admin", Role.Admin);
        await portal.CreateUserAsync("offhours-stranger", Role.Operator, "111111111111/*");

        using var admin = await portal.LoginAsync("offhours-admin");
        var page = await admin.GetStringAsync("/scaling/off-hours");
        using var stranger = await portal.LoginAsync("offhours-stranger");
        var theirs = await stranger.GetStringAsync("/scaling/off-hours");

        Assert.Contains("office-hours", page, StringComparison.Ordinal);
        Assert.Contains("long-day", page, StringComparison.Ordinal);
        Assert.Contains("USD", page, StringComparison.Ordinal);
        Assert.DoesNotContain("office-hours", theirs, StringComparison.Ordinal);
        Assert.DoesNotContain("long-day", theirs, StringComparison.Ordinal);
    }
}
