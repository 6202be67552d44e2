using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Notifications;

namespace PortalOps.Jobs.Tests.Telegram;

public sealed class NotificationPreferencesTests
{
    [Theory]
    [InlineData(22, 7, 23, true)]
    [InlineData(22, 7, 3, true)]
    [InlineData(22, 7, 7, false)]
    [InlineData(22, 7, 12, false)]
    [InlineData(9, 17, 9, true)]
    [InlineData(9, 17, 17, false)]
    public void IsQuietAt_Hours_WrapAroundMidnight(int from, int to, int hour, bool quiet) =>
        Assert.Equal(quiet, new NotificationPreferences(QuietFromHour: from, QuietToHour: to).IsQuietAt(new DateTimeOffset(2026, 11, 25, hour, 30, 0, TimeSpan.Zero)));

    [Theory]
    [InlineData(5, null, "Give both ends")]
    [InlineData(24, 3, "whole hours from 0 to 23")]
    public void Problem_BadQuietHours_Explained(int? from, int? to, string expected) =>
        Assert.Contains(expected, new NotificationPreferences(QuietFromHour: from, QuietToHour: to).Problem(), StringComparison.Ordinal);

    [Fact]
    public async Task Notify_PeopleWhoTurnedAKindOffOrAreInQuietHours_GetNothingInTelegram()
    {
        await using var bot = await BotHarness.StartAsync();
        var keen = await bot.AddUserAsync("keen", Role.Approver);
        var off = await bot.AddUserAsync("off", Role.Approver);
        var asleep = await bot.AddUserAsync("asleep", Role.Approver);
        await bot.LinkAsync(keen, 1);
        await bot.LinkAsync(off, 2);
        await bot.LinkAsync(asleep, 3);
        var store = bot.Services.GetRequiredService<IPreferenceStore>();
        await store.SaveAsync(off.Id, new NotificationPreferences(Alerts: false));
        var hour = DateTimeOffset.UtcNow.Hour;
        await store.SaveAsync(asleep.Id, new NotificationPreferences(QuietFromHour: hour, QuietToHour: (hour + 2) % 24));

        await bot.Services.GetRequiredService<INotifier>().NotifyAsync(
            new Notification(NotificationKind.Alert, "CPU <high>", "prod-web-01 & friends", [keen.Id, off.Id, asleep.Id]));
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(10));

        var alert = await bot.Api.WaitForTextAsync(1, "CPU");
        Assert.Equal("<b>CPU &lt;high&gt;</b>\nprod-web-01 &amp; friends", alert.Text);
        Assert.DoesNotContain(bot.Api.MessagesIn(2), m => m.Text.Contains("CPU", StringComparison.Ordinal));
        Assert.DoesNotContain(bot.Api.MessagesIn(3), m => m.Text.Contains("CPU", StringComparison.Ordinal));
    }
}
