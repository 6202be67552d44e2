using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Scaling;
using Microsoft.Extensions.DependencyInjection;

namespace PortalOps.Jobs.Tests.Telegram;

public sealed class ScalingCommandTests : IAsyncLifetime
{
    private static readonly GroupRef ProdApi = new(SandboxFleet.AccountId, "eu-west-1", "prod-api");
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync(services: s => s.AddScaling());

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Groups_ListsOnlyTheGroupsInScope()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("euro", Role.Viewer, "000000000000/eu-west-1"), 21);

        var reply = await _bot.AskAsync(person, "/groups", "Auto Scaling group(s)");

        Assert.Contains("prod-api", reply.Text, StringComparison.Ordinal);
        Assert.Contains("staging-worker", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("dev-batch", reply.Text, StringComparison.Ordinal);
        Assert.Contains("3 Auto Scaling group(s)", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_OutsideScope_ReadsAsMissingAndIsAudited()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("euro", Role.Operator, "000000000000/eu-west-1"), 22);

        var reply = await _bot.AskAsync(person, "/group dev-batch", "No Auto Scaling group is called");

        Assert.Empty(reply.AllButtons);
        Assert.Contains(await _bot.AuditAsync("telegram.group.view"), r => r.Event.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public async Task Group_Viewer_SeesCapacityWithoutButtons()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 23);

        var reply = await _bot.AskAsync(person, "/group prod-api", "min 2");

        Assert.Empty(reply.AllButtons);
    }

    [Fact]
    public async Task DesiredPlusOne_GoesThroughThePipeline_OnceForAButton()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 24);
        var group = await _bot.AskAsync(person, "/group prod-api", "min 2");
        Assert.All(group.AllButtons, b => Assert.True(b.Data.Length <= 64));

        var plusOne = group.ButtonData("Desired +1");
        var press = _bot.Api.PressRaw(person, group, plusOne);
        await _bot.Api.WaitUntilConsumedAsync(press);
        var edited = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == group.MessageId && m.Text.Contains("Desired +1 on prod-api", StringComparison.Ordinal), "the outcome");
        var again = _bot.Api.PressRaw(person, group, plusOne);
        await _bot.Api.WaitUntilConsumedAsync(again);

        Assert.Contains("✅", edited.Text, StringComparison.Ordinal);
        var now = await _bot.Services.GetRequiredService<IScaling>().FindGroupAsync(ProdApi);
        Assert.Equal(3, now!.DesiredCapacity);
        var audit = Assert.Single(await _bot.AuditAsync("scaling.capacity"));
        Assert.Equal((AuditOutcome.Succeeded, PortalOps.Domain.Common.Channel.Telegram), (audit.Event.Outcome, audit.Event.Channel));
        Assert.StartsWith("sandbox-", audit.Event.AwsRequestId, StringComparison.Ordinal);
    }
    [Fact]
    public async Task Refresh_WaitsForApproval_OneRequestForAButtonPressedTwice()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("rita", Role.Operator), 25);
        var group = await _bot.AskAsync(person, "/group prod-api", "min 2");

        var refresh = group.ButtonData("Refresh");
        var press = _bot.Api.PressRaw(person, group, refresh);
        await _bot.Api.WaitUntilConsumedAsync(press);
        var edited = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == group.MessageId && m.Text.Contains("Instance refresh on prod-api", StringComparison.Ordinal), "the outcome");
        var again = _bot.Api.PressRaw(person, group, refresh);
        await _bot.Api.WaitUntilConsumedAsync(again);

        var pending = (await _bot.Services.GetRequiredService<IApprovalStore>().ListAsync(ApprovalStatus.Pending, 50))
            .Where(r => r.Kind.Name == "scaling.refresh.start").ToList();
        Assert.Single(pending);
        Assert.Contains("approval", edited.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _bot.Services.GetRequiredService<IScaling>().InstanceRefreshesAsync(ProdApi, 5));
    }

    [Fact]
    public async Task RunningRefresh_ShowsProgress_AndCancelRefreshCancelsIt()
    {
        var scaling = _bot.Services.GetRequiredService<IScaling>();
        Assert.NotNull(await scaling.StartInstanceRefreshAsync(ProdApi, new InstanceRefreshRequest()));
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("carl", Role.Operator), 26);
        var group = await _bot.AskAsync(person, "/group prod-api", "min 2");
        Assert.Contains("instance refresh", group.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(group.AllButtons, b => b.Text == "Refresh");

        var press = _bot.Api.PressRaw(person, group, group.ButtonData("Cancel refresh"));
        await _bot.Api.WaitUntilConsumedAsync(press);
        var edited = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == group.MessageId && m.Text.Contains("Cancel refresh on prod-api", StringComparison.Ordinal), "the outcome");

        Assert.Contains("✅", edited.Text, StringComparison.Ordinal);
        var latest = (await scaling.InstanceRefreshesAsync(ProdApi, 1)).First();
        Assert.Contains(latest.Status.ToString(), new[] { "Cancelling", "Cancelled" });
        var audit = Assert.Single(await _bot.AuditAsync("scaling.refresh.cancel"));
        Assert.Equal((AuditOutcome.Succeeded, PortalOps.Domain.Common.Channel.Telegram), (audit.Event.Outcome, audit.Event.Channel));
        Assert.StartsWith("sandbox-", audit.Event.AwsRequestId, StringComparison.Ordinal);
    }
    [Fact]
    public async Task EnableMetrics_OfferedOnlyWhileCollectionIsOff_GoesThroughThePipelineOnceForAButton()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("mona", Role.Operator), 27);
        var collecting = await _bot.AskAsync(person, "/group prod-api", "min 2");
        Assert.DoesNotContain(collecting.AllButtons, b => b.Text == "Enable metrics");
        var group = await _bot.AskAsync(person, "/group staging-worker", "collection is off");

        var enable = group.ButtonData("Enable metrics");
        var press = _bot.Api.PressRaw(person, group, enable);
        await _bot.Api.WaitUntilConsumedAsync(press);
        var edited = await _bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId == group.MessageId && m.Text.Contains("Enable metrics collection on staging-worker", StringComparison.Ordinal), "the outcome");
        var again = _bot.Api.PressRaw(person, group, enable);
        await _bot.Api.WaitUntilConsumedAsync(again);

        Assert.Contains("✅", edited.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("collection is off", edited.Text, StringComparison.Ordinal);
        var worker = new GroupRef(SandboxFleet.AccountId, "eu-west-1", "staging-worker");
        Assert.True((await _bot.Services.GetRequiredService<IScaling>().FindGroupAsync(worker))!.CollectsCapacityMetrics);
        var audit = Assert.Single(await _bot.AuditAsync("scaling.metrics.enable"));
        Assert.Equal((AuditOutcome.Succeeded, PortalOps.Domain.Common.Channel.Telegram), (audit.Event.Outcome, audit.Event.Channel));
        Assert.StartsWith("sandbox-", audit.Event.AwsRequestId, StringComparison.Ordinal);
    }
}
