using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Buttons;
using PortalOps.Jobs.Telegram.Groups;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>
/// Button presses. The callback_data is only an id: the stored button says what it does, in which chat and for whom; the presser
/// must be linked and is authorized on their own rights by the pipeline. The query is answered at once; the work and the edit follow.
/// </summary>
internal sealed partial class CallbackHandler(
    ITelegramBotClient client,
    ButtonStore buttons,
    BotScreens screens,
    ITelegramGroups groups,
    IInventory inventory,
    IApprovalStore approvals,
    ActionPipeline pipeline,
    IAuditLog audit,
    TimeProvider clock,
    ILogger<CallbackHandler> logger,
    AlertOperations? alertOperations = null,
    Alerts.AlertTelegram? alertTelegram = null,
    Compliance.ComplianceTelegram? compliance = null,
    Costs.CostTelegram? costs = null,
    Scaling.ScalingTelegram? scaling = null,
    OffHours.OffHoursTelegram? offHours = null,
    Backups.BackupTelegram? backups = null,
    PortalOps.Domain.LoadBalancing.DrainProgressFeed? drainFeed = null)
{
    public async Task HandleAsync(CallbackQuery query, BotChat chat, CancellationToken cancellationToken)
    {
        var button = await buttons.FindAsync(query.Data, cancellationToken);
        var refusal = await CheckAsync(query, chat, button, cancellationToken);
        if (refusal is not null)
        {
            await AnswerAsync(query, refusal, alert: true, cancellationToken);
            return;
        }

        var pressed = button!;
        var messageId = query.Message!.Id;
        await AnswerAsync(query, pressed.Kind is ButtonKind.Confirm or ButtonKind.Approve or ButtonKind.DenyWithReason or ButtonKind.AcknowledgeAlert or ButtonKind.SnoozeAlert or ButtonKind.RemediateFinding or ButtonKind.ExceptFinding or ButtonKind.ApplyRecommendation or ButtonKind.ScaleGroup ? "Working on it…" : null, alert: false, cancellationToken);

        switch (pressed.Kind)
        {
            case ButtonKind.Page:
                screens.Edit(chat.ChatId, messageId, await screens.InstanceListAsync(chat, chat.Actor, pressed.Arguments.Filter, pressed.Arguments.Page, cancellationToken));
                break;
            case ButtonKind.ShowInstance:
                if (await VisibleInstanceAsync(chat, pressed, cancellationToken) is { } shown)
                {
                    screens.Reply(chat, await screens.InstanceAsync(chat, chat.Actor, shown, cancellationToken));
                }

                break;
            case ButtonKind.Action:
                if (await VisibleInstanceAsync(chat, pressed, cancellationToken) is { } target && Enum.TryParse<InstanceAction>(pressed.Arguments.Action, out var asked))
                {
                    screens.Edit(chat.ChatId, messageId, await screens.ConfirmAsync(chat, asked, target, cancellationToken));
                }

                break;
            case ButtonKind.Cancel:
                if (await VisibleInstanceAsync(chat, pressed, cancellationToken) is { } kept)
                {
                    var again = await screens.InstanceAsync(chat, chat.Actor, kept, cancellationToken);
                    screens.Edit(chat.ChatId, messageId, again with { Html = "Cancelled: nothing was done.\n\n" + again.Html });
                }

                break;
            case ButtonKind.Confirm:
                await ConfirmAsync(chat, pressed, messageId, cancellationToken);
                break;
            case ButtonKind.Approve:
                await DecideAsync(chat, pressed, approve: true, reason: null, cancellationToken);
                break;
            case ButtonKind.DenyWithReason:
                await DecideAsync(chat, pressed, approve: false, pressed.Arguments.Reason, cancellationToken);
                break;
            case ButtonKind.AcknowledgeAlert:
            case ButtonKind.SnoozeAlert:
                await AnswerAlertAsync(chat, pressed, cancellationToken);
                break;
            case ButtonKind.CompliancePolicy:
            case ButtonKind.RemediateFinding:
            case ButtonKind.ExceptFinding:
                await ComplianceAsync(chat, pressed, cancellationToken);
                break;
            case ButtonKind.ApplyRecommendation:
                if (costs is not null && pressed.Arguments.Recommendation is { } key)
                {
                    var applied = await costs.ApplyAsync(chat.Actor, key, cancellationToken);
                    screens.Reply(chat, applied.IsSuccess ? $"⏳ {Escape(applied.Message)}" : $"⛔ {Escape(applied.Message)}");
                }

                break;
            case ButtonKind.ScheduleRecommendation when costs is not null && pressed.Arguments.Recommendation is { } scheduled:
                screens.Reply(chat, await costs.ScheduleChoicesAsync(chat, scheduled, cancellationToken));
                break;
            case ButtonKind.AttachSchedule when costs is not null && pressed.Arguments.Recommendation is { } attachTo:
                var attached = await costs.AttachScheduleAsync(chat.Actor, attachTo, pressed.Arguments.Filter, cancellationToken);
                screens.Edit(chat.ChatId, messageId, new Screen(attached.IsSuccess ? $"⏳ {Escape(attached.Message)}" : $"⛔ {Escape(attached.Message)}"));
                break;
            case ButtonKind.ShowGroup when scaling is not null:
                screens.Reply(chat, await scaling.ShowAsync(chat, pressed, cancellationToken));
                break;
            case ButtonKind.ScaleGroup when scaling is not null:
                screens.Edit(chat.ChatId, messageId, await scaling.ScaleAsync(chat, pressed, cancellationToken));
                break;
            case ButtonKind.KeepRunning when offHours is not null:
                screens.Edit(chat.ChatId, messageId, await offHours.PressAsync(chat, pressed, cancellationToken));
                break;
            case ButtonKind.ConfirmRestore when backups is not null:
                screens.Edit(chat.ChatId, messageId, await backups.ConfirmRestoreAsync(chat, pressed, cancellationToken));
                break;
            case ButtonKind.Deny:
            case ButtonKind.ShowApproval:
                if (pressed.ApprovalId is { } id && await approvals.FindVisibleAsync(chat.Actor, id, cancellationToken) is { } request)
                {
                    screens.Edit(chat.ChatId, messageId, pressed.Kind == ButtonKind.Deny
                        ? await screens.DenyReasonsAsync(chat, request, cancellationToken)
                        : await screens.ApprovalAsync(chat, request, cancellationToken));
                }

                break;
        }
    }

    /// <summary>Null when the press may go ahead; otherwise what to tell the presser (refusals of a person are audited).</summary>
    private async Task<string?> CheckAsync(CallbackQuery query, BotChat chat, StoredButton? button, CancellationToken cancellationToken)
    {
        if (button is null || query.Message is null || button.ChatId != chat.ChatId)
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, "Unknown or forged button data."), cancellationToken);
            return "This button is not valid.";
        }

        if (button.ForTelegramUserId is { } owner && owner != chat.From.Id)
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, "A button made for another Telegram user."), cancellationToken);
            return "This button is for someone else.";
        }

        if (chat.IsGroup && !await groups.IsAllowedAsync(chat.ChatId, cancellationToken))
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, "The group is not allowed."), cancellationToken);
            return "This group is not allowed to use PortalOps.";
        }

        if (!chat.IsLinked)
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, "The presser has no linked PortalOps account."), cancellationToken);
            return "Link your Telegram account to PortalOps first (Profile → Telegram).";
        }

        // In a group anyone may press; a Viewer is stopped before the confirmation (the pipeline would refuse the action itself).
        if (button.Kind is ButtonKind.Action or ButtonKind.Confirm or ButtonKind.RemediateFinding or ButtonKind.ExceptFinding or ButtonKind.ScaleGroup && !chat.Actor.IsAtLeast(Role.Operator))
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, $"{chat.Actor.Name} is {chat.Actor.Role}; acting needs Operator or higher."), cancellationToken);
            return "You are a Viewer: you can look, not act.";
        }

        // Approve / Deny live as long as their request; the pipeline itself says "expired" for those.
        var isDecision = button.Kind is ButtonKind.Approve or ButtonKind.Deny or ButtonKind.DenyWithReason or ButtonKind.ShowApproval;
        if (!isDecision && button.ExpiresAt <= clock.GetUtcNow())
        {
            return "This button has expired; ask again.";
        }

        // A confirmation acts once. Approve and Deny need no such guard: the pipeline decides a request exactly once and says who did.
        if (button.Kind is ButtonKind.Confirm or ButtonKind.RemediateFinding or ButtonKind.ExceptFinding or ButtonKind.ScaleGroup && !await buttons.UseAsync(button.Id, cancellationToken))
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, "A used button was pressed again."), cancellationToken);
            return "This button was already used.";
        }

        return null;
    }

    private async Task<Instance?> VisibleInstanceAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken)
    {
        var instance = InstanceRef.TryParse(button.Arguments.Instance, out var reference) ? await inventory.FindAsync(reference!, cancellationToken) : null;
        if (instance is null)
        {
            screens.Reply(chat, "That instance is gone.");
            return null;
        }

        var actor = chat.Actor;
        if (!Authorizer.MaySee(actor, instance))
        {
            await audit.AppendAsync(chat.Audit("telegram.instance.view", instance.Ref.ToString(), AuditOutcome.Denied, $"{instance.InstanceId} is outside {actor.Name}'s scope.")
                with { Where = Footprint.Of(instance.AccountId, instance.Region, instance.Tags) }, cancellationToken);
            screens.Reply(chat, $"{Code(instance.InstanceId)} is outside your scope.");
            return null;
        }

        return instance;
    }

    private async Task ConfirmAsync(BotChat chat, StoredButton button, int messageId, CancellationToken cancellationToken)
    {
        if (!InstanceRef.TryParse(button.Arguments.Instance, out var target) || !Enum.TryParse<InstanceAction>(button.Arguments.Action, out var action))
        {
            return;
        }

        // Drain before stop: the message shows how the drain goes until the outcome replaces it.
        using var drainShown = drainFeed?.Watch([target!], p =>
        {
            if (!p.Done)
            {
                screens.Edit(chat.ChatId, messageId, new Screen($"⏳ {Bold($"{action} {target!.InstanceId}")}\n{Escape(p.Describe())}"));
            }

            return Task.CompletedTask;
        });
        var result = await pipeline.SubmitAsync(chat.Actor, new ActionRequest(ActionKind.For(action), [target!], "Asked in Telegram"), cancellationToken);
        var icon = result.Status switch
        {
            ActionStatus.Executed or ActionStatus.Decided => "✅",
            ActionStatus.PendingApproval => "⏳",
            ActionStatus.Failed or ActionStatus.PartlySucceeded => "⚠️",
            ActionStatus.Refused or ActionStatus.NotFound or ActionStatus.Conflict => "⛔",
        };
        var more = result.Status == ActionStatus.PendingApproval ? "\nThe approvers have been asked; you will hear the outcome here." : string.Empty;
        screens.Edit(chat.ChatId, messageId, new Screen($"{icon} {Bold($"{action} {target!.InstanceId}")}\n{Escape(result.Message)}{more}"));
    }

    /// <summary>A compliance button: show a policy's findings, or ask to remediate or except one (through the pipeline, which decides and audits).</summary>
    private async Task ComplianceAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken)
    {
        if (compliance is null)
        {
            return;
        }

        if (button.Kind == ButtonKind.CompliancePolicy && button.Arguments.Filter is { } policyId)
        {
            var keyboard = screens.Keyboard(chat);
            var text = await compliance.PolicyAsync(chat.Actor, policyId, keyboard, cancellationToken);
            screens.Reply(chat, new Screen(text, await keyboard.BuildAsync(cancellationToken)));
            return;
        }

        if (button.Arguments.Finding is not { } findingId)
        {
            return;
        }

        var result = button.Kind == ButtonKind.RemediateFinding
            ? await compliance.RemediateAsync(chat.Actor, findingId, cancellationToken)
            : await compliance.ExceptAsync(chat.Actor, findingId, cancellationToken);
        var icon = result.Status switch
        {
            ActionStatus.Executed or ActionStatus.Decided => "✅",
            ActionStatus.PendingApproval => "⏳",
            ActionStatus.Failed or ActionStatus.PartlySucceeded => "⚠️",
            ActionStatus.Refused or ActionStatus.NotFound or ActionStatus.Conflict => "⛔",
        };
        screens.Reply(chat, $"{icon} {Escape(result.Message)}");
    }

    /// <summary>Acknowledge or snooze through the same use case as the alert page (rights checked and audited there), then edit every copy.</summary>
    private async Task AnswerAlertAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken)
    {
        if (button.Arguments.Alert is not { } alertId || alertOperations is null)
        {
            return;
        }

        var result = button.Kind == ButtonKind.AcknowledgeAlert
            ? await alertOperations.AcknowledgeAsync(chat.Actor, alertId, cancellationToken)
            : await alertOperations.SnoozeAsync(chat.Actor, alertId, TimeSpan.FromHours(1), cancellationToken);
        if (!result.IsSuccess)
        {
            screens.Reply(chat, $"⛔ {Escape(result.Message)}");
            return;
        }

        if (alertTelegram is not null)
        {
            await alertTelegram.RefreshAsync(alertId, cancellationToken);
        }
    }

    private async Task DecideAsync(BotChat chat, StoredButton button, bool approve, string? reason, CancellationToken cancellationToken)
    {
        if (button.ApprovalId is not { } approvalId)
        {
            return;
        }

        var result = approve
            ? await pipeline.ApproveAsync(chat.Actor, approvalId, reason, cancellationToken)
            : await pipeline.DenyAsync(chat.Actor, approvalId, reason, cancellationToken);

        // A decision edits every approver's copy (through the notifier); anything else is said to the presser alone.
        if (result.Status != ActionStatus.Decided)
        {
            screens.Reply(chat, $"⛔ {Escape(result.Message)}");
        }
    }

    private async Task AnswerAsync(CallbackQuery query, string? text, bool alert, CancellationToken cancellationToken)
    {
        try
        {
            await client.AnswerCallbackQuery(query.Id, text, showAlert: alert, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is RequestException or HttpRequestException)
        {
            // Too old, or Telegram is away: the press is still handled; the spinner just runs out on its own.
            LogAnswerFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A button press could not be answered ({What}).")]
    private static partial void LogAnswerFailed(ILogger logger, string what);
}
