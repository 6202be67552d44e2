using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Scaling;
using PortalOps.Jobs.Scaling.OffHours;
using PortalOps.Jobs.Telegram.OffHours;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>The running-time warning's Keep-running button and <c>/keep</c>, through the real bot, pipeline and database.</summary>
public sealed class OffHoursBotTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync(services: s =>
    {
        s.AddScaling();
        s.AddOffHours();
    });

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Warning_KeepRunningButton_MakesAnOverrideThroughThePipeline_Once()
    {
        var olga = await _bot.AddUserAsync("olga", Role.Operator);
        var person = await _bot.LinkAsync(olga, 31);
        var instance = await _bot.InstanceAsync(InstanceState.Running, "dev");
        var stopsAt = DateTimeOffset.UtcNow.AddMinutes(15);
        var alerts = _bot.Services.GetRequiredService<IOffHoursAlerts>();
        Assert.IsType<TelegramOffHoursAlerts>(alerts);

        await alerts.WarnAsync(new LimitWarning(ScheduleSubject.Of(instance)!, stopsAt, "env=dev ≤ 8 h", TimeSpan.FromHours(2)), [olga.Id]);
        var warning = await _bot.Api.WaitForMessageAsync(person.Id, m => m.Text.Contains("stops at", StringComparison.Ordinal), "the warning");
        var keep = warning.ButtonData("⏱ Keep running 2 h");
        Assert.True(keep.Length <= 64);

        await _bot.Api.WaitUntilConsumedAsync(_bot.Api.PressRaw(person, warning, keep));
        var edited = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == warning.MessageId && m.Text.Contains("kept running until", StringComparison.Ordinal), "the outcome");
        Assert.Contains("✅", edited.Text, StringComparison.Ordinal);
        await _bot.Api.WaitUntilConsumedAsync(_bot.Api.PressRaw(person, warning, keep));

        var store = _bot.Services.GetRequiredService<IOffHoursStore>();
        var kept = Assert.Single(await store.OverridesEndingSinceAsync(DateTimeOffset.UtcNow));
        Assert.Equal(OffHoursResource.Instance(instance.Ref), kept.Resource);
        Assert.Equal(stopsAt.AddHours(2).ToUnixTimeSeconds(), kept.Until.ToUnixTimeSeconds());
        var audit = Assert.Single(await _bot.AuditAsync(Domain.Actions.ActionKind.KeepInstancesRunning.Name));
        Assert.Equal((AuditOutcome.Succeeded, Domain.Common.Channel.Telegram, "olga"), (audit.Event.Outcome, audit.Event.Channel, audit.Event.ActorName));
    }

    [Fact]
    public async Task Keep_Command_KeepsAnInstanceRunningUntilThatTime_AndRefusesOneOutsideTheScope()
    {
        var instance = await _bot.InstanceAsync(InstanceState.Running, "dev");
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 32);
        var other = await _bot.LinkAsync(await _bot.AddUserAsync("otto", Role.Operator, "999999999999/*"), 33);

        var reply = await _bot.AskAsync(olga, $"/keep {instance.InstanceId} 23:59", "kept running until");
        var refused = await _bot.AskAsync(other, $"/keep {instance.InstanceId} 23:59", "Nothing you can see");

        Assert.Contains("✅", reply.Text, StringComparison.Ordinal);
        Assert.Single(await _bot.Services.GetRequiredService<IOffHoursStore>().OverridesEndingSinceAsync(DateTimeOffset.UtcNow));
        Assert.Contains(await _bot.AuditAsync("telegram.offhours.keep"), r => r.Event.Outcome == AuditOutcome.Denied && r.Event.ActorName == "otto");
        Assert.NotNull(refused);
    }
}
