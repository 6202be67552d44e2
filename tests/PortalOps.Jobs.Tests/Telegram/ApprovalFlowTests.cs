using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Groups;
using TelegramApprovalMessages = PortalOps.Jobs.Telegram.Approvals.ApprovalMessages;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>Actions from buttons, through the one pipeline: confirm steps, approvals pushed to approvers, decisions from chat and web.</summary>
public sealed class ApprovalFlowTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync() => _bot = await BotHarness.StartAsync();

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Stop_ButtonThenConfirm_StopsTheInstanceAndEditsTheMessage()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 100);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var details = await _bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId);

        _bot.Api.Press(olga, details, "Stop");
        var confirm = await _bot.Api.WaitForMessageAsync(100, m => m.MessageId == details.MessageId && m.Text.Contains("Blast radius", StringComparison.Ordinal), "asking to confirm");
        Assert.Contains("1 instance", confirm.Text, StringComparison.Ordinal);
        Assert.Equal(InstanceState.Running, (await _bot.Cloud.FindAsync(target.Ref))!.State);

        _bot.Api.Press(olga, confirm, "Yes, stop");
        await _bot.Api.WaitForMessageAsync(100, m => m.MessageId == details.MessageId && m.Text.Contains("Stop accepted", StringComparison.Ordinal), "with the outcome");

        await BotStartTests.WaitAsync(() => _bot.Cloud.FindAsync(target.Ref).Result!.State == InstanceState.Stopped, "the instance to stop");

        // The press is answered before the action runs and the outcome is edited in.
        var answered = _bot.Api.CallsOf("answerCallbackQuery")[^1].At;
        var outcome = _bot.Api.CallsOf("editMessageText").Single(c => c.Body["text"]!.GetValue<string>().Contains("Stop accepted", StringComparison.Ordinal)).At;
        Assert.True(answered <= outcome);
        var audit = Assert.Single(await _bot.AuditAsync("instances.stop"));
        Assert.Equal(("olga", Channel.Telegram, AuditOutcome.Succeeded), (audit.Event.ActorName, audit.Event.Channel, audit.Event.Outcome));
    }

    [Fact]
    public async Task Cancel_OnTheConfirmation_DoesNothing()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 101);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var details = await _bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId);
        _bot.Api.Press(olga, details, "Reboot");
        var confirm = await _bot.Api.WaitForMessageAsync(101, m => m.Text.Contains("Blast radius", StringComparison.Ordinal), "asking to confirm");

        _bot.Api.Press(olga, confirm, "Cancel");

        await _bot.Api.WaitForTextAsync(101, "Cancelled: nothing was done.");
        Assert.Empty(await _bot.AuditAsync("instances.reboot"));
    }

    [Fact]
    public async Task Terminate_NeedsApproval_ApprovedBySecondTelegramUser_TerminatesAndEditsEveryCopy()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 200);
        var alice = await _bot.LinkAsync(await _bot.AddUserAsync("alice", Role.Approver), 201);
        var bob = await _bot.LinkAsync(await _bot.AddUserAsync("bob", Role.Approver), 202);
        var target = await _bot.InstanceAsync(InstanceState.Running);

        var details = await _bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId);
        _bot.Api.Press(olga, details, "Terminate");
        var confirm = await _bot.Api.WaitForMessageAsync(200, m => m.Text.Contains("cannot be undone", StringComparison.Ordinal), "asking to confirm");
        _bot.Api.Press(olga, confirm, "Yes, terminate");
        await _bot.Api.WaitForTextAsync(200, "waits for approval");

        var forAlice = await _bot.Api.WaitForTextAsync(201, "Approval needed");
        var forBob = await _bot.Api.WaitForTextAsync(202, "Approval needed");
        Assert.Contains("olga", forAlice.Text, StringComparison.Ordinal);
        Assert.Equal(["✅ Approve", "❌ Deny"], forAlice.AllButtons.Select(b => b.Text));
        Assert.Equal(InstanceState.Running, (await _bot.Cloud.FindAsync(target.Ref))!.State);

        _bot.Api.Press(bob, forBob, "Approve");

        await BotStartTests.WaitAsync(() => _bot.Cloud.FindAsync(target.Ref).Result!.State == InstanceState.Terminated, "the instance to terminate");
        var edited = await _bot.Api.WaitForMessageAsync(201, m => m.MessageId == forAlice.MessageId && m.Text.Contains("by <b>bob</b> via Telegram", StringComparison.Ordinal), "alice's copy edited");
        Assert.Empty(edited.AllButtons);
        await _bot.Api.WaitForMessageAsync(202, m => m.MessageId == forBob.MessageId && m.Text.Contains("by <b>bob</b>", StringComparison.Ordinal) && m.AllButtons.Count() == 0, "bob's copy edited");
        await _bot.Api.WaitForTextAsync(200, "Approved action done");
        Assert.Single(await _bot.AuditAsync("approval.approve"));
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(await _bot.AuditAsync("instances.terminate")).Event.Outcome);
    }

    [Fact]
    public async Task Deny_FromTelegram_AsksForAReasonThenDeniesWithIt()
    {
        var approval = await RequestTerminateAsync("olga");
        var alice = await _bot.LinkAsync(await _bot.AddUserAsync("alice", Role.Approver), 301);
        await PushAsync(approval);
        var message = await _bot.Api.WaitForTextAsync(301, "Approval needed");

        _bot.Api.Press(alice, message, "Deny");
        var reasons = await _bot.Api.WaitForMessageAsync(301, m => m.MessageId == message.MessageId && m.Text.Contains("Why deny it?", StringComparison.Ordinal), "asking why");
        Assert.Contains(reasons.AllButtons, b => b.Text == "Needs a change ticket");
        _bot.Api.Press(alice, reasons, "Needs a change ticket");

        await _bot.Api.WaitForMessageAsync(301, m => m.MessageId == message.MessageId && m.Text.Contains("Denied</b> by <b>alice</b>", StringComparison.Ordinal) && m.Text.Contains("Needs a change ticket", StringComparison.Ordinal), "the denial");
        var stored = await _bot.Services.GetRequiredService<IApprovalStore>().FindAsync(approval);
        Assert.Equal((ApprovalStatus.Denied, "Needs a change ticket"), (stored!.Status, stored.DecisionReason));
    }

    [Fact]
    public async Task Decide_WebAndTwoTelegramApproversAtOnce_DecidedAndExecutedExactlyOnce()
    {
        var approval = await RequestTerminateAsync("olga");
        var alice = await _bot.LinkAsync(await _bot.AddUserAsync("alice", Role.Approver), 401);
        var bob = await _bot.LinkAsync(await _bot.AddUserAsync("bob", Role.Approver), 402);
        var carol = await _bot.AddUserAsync("carol", Role.Approver);
        await PushAsync(approval);
        var forAlice = await _bot.Api.WaitForTextAsync(401, "Approval needed");
        var forBob = await _bot.Api.WaitForTextAsync(402, "Approval needed");

        await using var scope = _bot.Services.CreateAsyncScope();
        var pipeline = scope.ServiceProvider.GetRequiredService<ActionPipeline>();
        _bot.Api.Press(alice, forAlice, "Approve");
        _bot.Api.Press(bob, forBob, "Approve");
        var web = await pipeline.ApproveAsync(carol.AsActor(Channel.Web), approval, null);

        await BotStartTests.WaitAsync(() => _bot.AuditAsync("approval.approve").Result.Count == 3, "three decisions recorded");
        await _bot.Scheduler.DrainAsync();
        var decisions = await _bot.AuditAsync("approval.approve");
        Assert.Single(decisions, d => d.Event.Outcome == AuditOutcome.Succeeded);
        Assert.Equal(2, decisions.Count(d => d.Event.Outcome == AuditOutcome.Denied));
        Assert.Single(_bot.Scheduler.Enqueued);
        Assert.Single(await _bot.AuditAsync("instances.terminate"));
        var stored = await _bot.Services.GetRequiredService<IApprovalStore>().FindAsync(approval);
        Assert.Equal(ApprovalStatus.Executed, stored!.Status);
        if (web.Status != ActionStatus.Decided)
        {
            Assert.Equal(ActionStatus.Conflict, web.Status);
        }

        // Whoever won, both Telegram copies now say who decided and carry no buttons.
        foreach (var (chat, copy) in new[] { (401L, forAlice), (402L, forBob) })
        {
            await _bot.Api.WaitForMessageAsync(chat, m => m.MessageId == copy.MessageId && m.Text.Contains($"by <b>{stored.DecidedByName}</b> via {stored.DecidedVia}", StringComparison.Ordinal) && !m.AllButtons.Any(), "the copy edited");
        }
    }

    [Fact]
    public async Task Expire_PendingRequestShownInTelegram_TheCopySaysItExpired()
    {
        var store = _bot.Services.GetRequiredService<IApprovalStore>();
        var requester = await _bot.AddUserAsync("olga", Role.Operator);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var old = new ApprovalRequest(Guid.NewGuid(), ActionKind.TerminateInstances, [new ResolvedTarget(target.Ref, target.Name, target.Tags)],
            new Dictionary<string, string>(), requester.AsActor(Channel.Web), "Terminate needs approval", null, DateTimeOffset.UtcNow.AddHours(-25), TimeSpan.FromHours(24));
        await store.AddAsync(old);
        await _bot.LinkAsync(await _bot.AddUserAsync("alice", Role.Approver), 551);
        await PushAsync(old.Id);
        var message = await _bot.Api.WaitForTextAsync(551, "Approval needed");
        await BotStartTests.WaitAsync(() => _bot.Services.GetRequiredService<TelegramApprovalMessages>().ListAsync(old.Id).Result.Count == 1, "the copy recorded");

        await using (var scope = _bot.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<ActionPipeline>().ExpireDueAsync());
        }

        var expired = await _bot.Api.WaitForMessageAsync(551, m => m.MessageId == message.MessageId && m.Text.Contains("Expired", StringComparison.Ordinal), "the copy edited");
        Assert.Empty(expired.AllButtons);
    }

    [Fact]
    public async Task Approve_ExpiredRequest_SaysSoAndDoesNotAct()
    {
        var store = _bot.Services.GetRequiredService<IApprovalStore>();
        var requester = await _bot.AddUserAsync("olga", Role.Operator);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var old = new ApprovalRequest(Guid.NewGuid(), ActionKind.TerminateInstances, [new ResolvedTarget(target.Ref, target.Name, target.Tags)],
            new Dictionary<string, string>(), requester.AsActor(Channel.Web), "Terminate needs approval", null, DateTimeOffset.UtcNow.AddHours(-25), TimeSpan.FromHours(24));
        await store.AddAsync(old);
        var alice = await _bot.LinkAsync(await _bot.AddUserAsync("alice", Role.Approver), 501);
        await PushAsync(old.Id);
        var message = await _bot.Api.WaitForTextAsync(501, "Approval needed");

        _bot.Api.Press(alice, message, "Approve");

        await _bot.Api.WaitForTextAsync(501, "This request has expired.");
        Assert.Equal(ApprovalStatus.Expired, (await store.FindAsync(old.Id))!.Status);
        Assert.Empty(_bot.Scheduler.Enqueued);
    }

    [Fact]
    public async Task Buttons_ReplayedForgedOrSomeoneElses_RefusedAuditedAndNothingActs()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 600);
        var mallory = await _bot.LinkAsync(await _bot.AddUserAsync("mallory", Role.Operator), 601);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var details = await _bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId);
        _bot.Api.Press(olga, details, "Reboot");
        var confirm = await _bot.Api.WaitForMessageAsync(600, m => m.Text.Contains("Blast radius", StringComparison.Ordinal), "asking to confirm");
        var yes = confirm.ButtonData("Yes");

        // Someone else's button id, from their own chat: the button was made for olga in olga's chat.
        _bot.Api.PressRaw(mallory, new SentMessage { ChatId = 601, MessageId = 1, Text = "x" }, yes);
        // Olga's chat, but Mallory presses (a forged update).
        _bot.Api.PressRaw(mallory, confirm, yes);
        // Made-up data.
        _bot.Api.PressRaw(olga, confirm, "AAAAAAAAAAAAAAAA");
        await BotStartTests.WaitAsync(() => _bot.AuditAsync("telegram.button").Result.Count == 3, "three refusals");
        Assert.Empty(await _bot.AuditAsync("instances.reboot"));

        _bot.Api.PressRaw(olga, confirm, yes);
        await _bot.Api.WaitForTextAsync(600, "Reboot accepted");
        _bot.Api.PressRaw(olga, confirm, yes);
        await BotStartTests.WaitAsync(() => _bot.AuditAsync("telegram.button").Result.Count == 4, "the replay refused");

        Assert.Single(await _bot.AuditAsync("instances.reboot"));
        Assert.All(await _bot.AuditAsync("telegram.button"), r => Assert.Equal(AuditOutcome.Denied, r.Event.Outcome));
        await BotStartTests.WaitAsync(() => _bot.Api.CallsOf("answerCallbackQuery").Any(c => c.Body["text"]?.GetValue<string>() == "This button was already used."), "the replay answered");
        await BotStartTests.WaitAsync(() => _bot.Api.CallsOf("answerCallbackQuery").Any(c => c.Body["text"]?.GetValue<string>() == "This button is for someone else."), "the forged press answered");
    }

    [Fact]
    public async Task Group_AllowedByAdmin_EachPressIsJudgedOnThePresser()
    {
        const long group = -100500;
        var admin = await _bot.AddUserAsync("adam", Role.Admin);
        Assert.Null(await _bot.Services.GetRequiredService<ITelegramGroups>().AllowAsync(admin.AsActor(Channel.Web), group, "Ops room"));
        var approval = await RequestTerminateAsync("olga");
        var alice = await _bot.LinkAsync(await _bot.AddUserAsync("alice", Role.Approver), 701);
        var oscar = await _bot.LinkAsync(await _bot.AddUserAsync("oscar", Role.Operator), 702);

        await _bot.AskAsync(alice, "/approvals", "1 request(s) wait for you", group);
        var inGroup = await _bot.Api.WaitForTextAsync(group, "Approval needed");
        _bot.Api.Press(oscar, inGroup, "Approve");

        await _bot.Api.WaitForTextAsync(group, "deciding needs Approver");
        Assert.Equal(ApprovalStatus.Pending, (await _bot.Services.GetRequiredService<IApprovalStore>().FindAsync(approval))!.Status);
        Assert.Contains(await _bot.AuditAsync("approval.approve"), r => r.Event is { ActorName: "oscar", Outcome: AuditOutcome.Denied });

        _bot.Api.Press(alice, inGroup, "Approve");
        await _bot.Api.WaitForMessageAsync(group, m => m.MessageId == inGroup.MessageId && m.Text.Contains("by <b>alice</b>", StringComparison.Ordinal), "the group copy edited");
        Assert.Contains(await _bot.AuditAsync("telegram.group.allow"), r => r.Event is { ActorName: "adam", Outcome: AuditOutcome.Succeeded });
    }

    [Fact]
    public async Task Group_ViewerPressesAnOperatorsStop_RefusedAuditedAndTheOperatorCanStillConfirm()
    {
        const long group = -100600;
        var admin = await _bot.AddUserAsync("adam", Role.Admin);
        await _bot.Services.GetRequiredService<ITelegramGroups>().AllowAsync(admin.AsActor(Channel.Web), group, "Ops room");
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 901);
        var vera = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 902);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        var card = await _bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId, group);

        _bot.Api.Press(vera, card, "Stop");
        await BotStartTests.WaitAsync(() => _bot.AuditAsync("telegram.button").Result.Any(r => r.Event.ActorName == "vera"), "the refusal audited");

        // The refusal is audited first, then the press is answered.
        await BotStartTests.WaitAsync(
            () => _bot.Api.CallsOf("answerCallbackQuery").Any(c => c.Body["text"]?.GetValue<string>() == "You are a Viewer: you can look, not act."),
            "the press answered with the refusal");

        _bot.Api.Press(olga, card, "Stop");
        var confirm = await _bot.Api.WaitForMessageAsync(group, m => m.MessageId == card.MessageId && m.Text.Contains("Blast radius", StringComparison.Ordinal), "asking olga to confirm");
        _bot.Api.Press(olga, confirm, "Yes, stop");
        await _bot.Api.WaitForTextAsync(group, "Stop accepted");
        Assert.Equal("olga", Assert.Single(await _bot.AuditAsync("instances.stop")).Event.ActorName);
    }

    [Fact]
    public async Task Group_NotAllowed_LinkedPeopleAreToldAndNothingRuns()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 800);

        var reply = await _bot.AskAsync(olga, "/instances", "not allowed", -4242);

        Assert.Contains("-4242", reply.Text, StringComparison.Ordinal);
        Assert.Empty(reply.AllButtons);
    }

    private async Task<Guid> RequestTerminateAsync(string requesterName)
    {
        var requester = await _bot.AddUserAsync(requesterName, Role.Operator);
        var target = await _bot.InstanceAsync(InstanceState.Running);
        await using var scope = _bot.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ActionPipeline>()
            .SubmitAsync(requester.AsActor(Channel.Web), new ActionRequest(ActionKind.TerminateInstances, [target.Ref]));
        Assert.Equal(ActionStatus.PendingApproval, result.Status);
        return result.ApprovalId!.Value;
    }

    // Approvers linked after the request was made get it pushed again, as the pipeline does for a new one.
    private async Task PushAsync(Guid approvalId)
    {
        var request = (await _bot.Services.GetRequiredService<IApprovalStore>().FindAsync(approvalId))!;
        var users = await _bot.Services.GetRequiredService<IUserStore>().ListAsync();
        await _bot.Services.GetRequiredService<INotifier>().NotifyAsync(
            new Notification(NotificationKind.ApprovalRequested, "Approval needed", request.Summary, Audience.ApproversFor(users, request), approvalId));
    }
}
