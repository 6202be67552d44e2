using System.Text;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types.ReplyMarkups;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Buttons;
using PortalOps.Jobs.Telegram.Outbox;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>A message to show: text and (stored) buttons.</summary>
internal sealed record Screen(string Html, InlineKeyboardMarkup? Buttons = null);

/// <summary>The bot's screens (instance lists, one instance, a confirmation, an approval) and the way they reach the chat.</summary>
internal sealed class BotScreens(IInventory inventory, ButtonStore buttons, TelegramOutbox outbox, IOptions<TelegramOptions> options, TimeProvider clock)
{
    public const int PageSize = 8;

    public void Reply(BotChat chat, Screen screen, Guid? approvalId = null) =>
        outbox.Enqueue(new OutboundMessage(chat.ChatId, screen.Html, screen.Buttons, ApprovalId: approvalId));

    public void Reply(BotChat chat, string html) => outbox.Enqueue(new OutboundMessage(chat.ChatId, html));

    public void Edit(long chatId, int messageId, Screen screen) =>
        outbox.Enqueue(new OutboundMessage(chatId, screen.Html, screen.Buttons, EditMessageId: messageId));

    public Keyboard Keyboard(BotChat chat, DateTimeOffset? expiresAt = null, Guid? approvalId = null) =>
        new(buttons, chat.ChatId, chat.ButtonOwner, expiresAt ?? clock.GetUtcNow().AddMinutes(options.Value.ButtonMinutes), approvalId);

    /// <summary>One page of the instances this person may see, with a button per instance and Prev / Next.</summary>
    public async Task<Screen> InstanceListAsync(BotChat chat, Actor actor, string? filter, int pageIndex, CancellationToken cancellationToken)
    {
        var page = await inventory.QueryAsync(
            new InstanceQuery { Text = filter, VisibleTo = actor.Scopes, PageIndex = Math.Max(0, pageIndex), PageSize = PageSize },
            cancellationToken);
        var matching = string.IsNullOrWhiteSpace(filter) ? string.Empty : $" matching {Code(filter)}";
        if (page.TotalCount == 0)
        {
            return new Screen($"No instances{matching} that you can see.");
        }

        var pages = (page.TotalCount + PageSize - 1) / PageSize;
        var index = Math.Min(page.PageIndex, pages - 1);
        var first = (index * PageSize) + 1;
        var text = new StringBuilder()
            .Append(Bold($"Instances {first}–{first + page.Items.Count - 1} of {page.TotalCount}")).Append(matching).Append('\n');
        foreach (var instance in page.Items)
        {
            text.Append(Views.InstanceLine(instance)).Append('\n');
        }

        var keyboard = Keyboard(chat);
        for (var i = 0; i < page.Items.Count; i++)
        {
            if (i % 2 == 0)
            {
                keyboard.Row();
            }

            keyboard.Button(Views.Label(page.Items[i]), ButtonKind.ShowInstance, new ButtonArguments(Instance: page.Items[i].Ref.ToString()));
        }

        if (pages > 1)
        {
            keyboard.Row();
            if (index > 0)
            {
                keyboard.Button("◀ Prev", ButtonKind.Page, new ButtonArguments(Filter: filter, Page: index - 1));
            }

            if (index < pages - 1)
            {
                keyboard.Button("Next ▶", ButtonKind.Page, new ButtonArguments(Filter: filter, Page: index + 1));
            }
        }

        text.Append($"Page {index + 1} of {pages}");
        return new Screen(text.ToString(), await keyboard.BuildAsync(cancellationToken));
    }

    /// <summary>One instance, with the actions this person's role allows in its current state.</summary>
    public async Task<Screen> InstanceAsync(BotChat chat, Actor actor, Instance instance, CancellationToken cancellationToken)
    {
        var keyboard = Keyboard(chat);
        if (actor.IsAtLeast(Role.Operator))
        {
            keyboard.Row();
            foreach (var action in InstanceActions.Allowed(instance))
            {
                keyboard.Button(action.ToString(), ButtonKind.Action, new ButtonArguments(Instance: instance.Ref.ToString(), Action: action.ToString()));
            }
        }

        var note = actor.IsAtLeast(Role.Operator) ? string.Empty : "\n\nYou are a Viewer: you can look, not act.";
        return new Screen(Views.Details(instance) + note, await keyboard.BuildAsync(cancellationToken));
    }

    public async Task<Screen> ConfirmAsync(BotChat chat, InstanceAction action, Instance instance, CancellationToken cancellationToken)
    {
        var keyboard = Keyboard(chat, clock.GetUtcNow().AddMinutes(Math.Min(options.Value.ButtonMinutes, 10)))
            .Row()
            .Button($"Yes, {action.ToString().ToLowerInvariant()}", ButtonKind.Confirm, new ButtonArguments(Instance: instance.Ref.ToString(), Action: action.ToString()))
            .Button("Cancel", ButtonKind.Cancel, new ButtonArguments(Instance: instance.Ref.ToString()));
        return new Screen(Views.Confirm(action, instance), await keyboard.BuildAsync(cancellationToken));
    }

    /// <summary>An approval request with Approve / Deny while it is pending; only its text once it is not.</summary>
    public async Task<Screen> ApprovalAsync(BotChat chat, ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (request.Status != ApprovalStatus.Pending)
        {
            return new Screen(Views.Approval(request));
        }

        var keyboard = Keyboard(chat, request.ExpiresAt, request.Id)
            .Row()
            .Button("✅ Approve", ButtonKind.Approve)
            .Button("❌ Deny", ButtonKind.Deny);
        return new Screen(Views.Approval(request), await keyboard.BuildAsync(cancellationToken));
    }

    /// <summary>Deny asks why: a few fixed reasons (the web page takes free text).</summary>
    public async Task<Screen> DenyReasonsAsync(BotChat chat, ApprovalRequest request, CancellationToken cancellationToken)
    {
        var keyboard = Keyboard(chat, request.ExpiresAt, request.Id);
        foreach (var reason in DenyReasons)
        {
            keyboard.Row().Button(reason, ButtonKind.DenyWithReason, new ButtonArguments(Reason: reason));
        }

        keyboard.Row().Button("◀ Back", ButtonKind.ShowApproval);
        return new Screen(Views.Approval(request) + "\n\n" + Bold("Why deny it?"), await keyboard.BuildAsync(cancellationToken));
    }

    public static IReadOnlyList<string> DenyReasons { get; } =
        ["Not now — try again later", "Wrong target", "Needs a change ticket", "Too risky as asked"];
}
