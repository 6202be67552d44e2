using Telegram.Bot.Types;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Groups;
using PortalOps.Jobs.Telegram.Linking;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>Translates text messages (commands) into use cases and replies. No rule lives here: rights, approvals and audit are the pipeline's.</summary>
internal sealed class CommandHandler(
    BotScreens screens,
    TelegramLinking linking,
    ITelegramGroups groups,
    TelegramStatus status,
    IInventory inventory,
    IApprovalStore approvals,
    IAuditLog audit,
    TimeProvider clock,
    IAlertStore? alerts = null,
    Patching.PatchSummaryView? patching = null,
    Compliance.ComplianceTelegram? compliance = null,
    Costs.CostTelegram? costs = null,
    Scaling.ScalingTelegram? scaling = null,
    LoadBalancing.LoadBalancerSummaryView? loadBalancers = null,
    Costs.CostDigest? digest = null,
    OffHours.OffHoursTelegram? offHours = null,
    Backups.BackupTelegram? backups = null)
{
    private const int MaxArgument = 200;
    private const int MaxApprovalsShown = 10;

    public async Task HandleAsync(Message message, BotChat chat, CancellationToken cancellationToken)
    {
        var (command, argument) = Parse(message.Text);
        if (command is null)
        {
            // Groups are chatty; only a private chat gets an answer to plain text.
            if (!chat.IsGroup)
            {
                screens.Reply(chat, chat.IsLinked ? "I understand commands only. /help lists them." : Views.NotLinked);
            }

            return;
        }

        if (command.Bot is { } addressed && !string.Equals(addressed, status.BotUserName, StringComparison.OrdinalIgnoreCase))
        {
            return; // "/cmd@OtherBot" in a group is not for us.
        }

        if (chat.IsGroup && !await groups.IsAllowedAsync(chat.ChatId, cancellationToken))
        {
            if (chat.IsLinked)
            {
                screens.Reply(chat, $"This group is not allowed to use PortalOps. An Admin can allow chat id {Code(chat.ChatId.ToString(System.Globalization.CultureInfo.InvariantCulture))} on the portal's Telegram page.");
            }

            return;
        }

        switch (command.Name)
        {
            case "start":
                await StartAsync(chat, argument, cancellationToken);
                return;
            case "help":
                screens.Reply(chat, chat.IsLinked ? Views.Help : Views.Help + "\n\n" + Views.NotLinked);
                return;
        }

        if (!chat.IsLinked)
        {
            screens.Reply(chat, chat.User is { IsDisabled: true } ? "Your PortalOps account is disabled." : Views.NotLinked);
            return;
        }

        var actor = chat.Actor;
        switch (command.Name)
        {
            case "whoami":
                screens.Reply(chat, Views.Whoami(chat.User!, chat.From.Id, chat.ChatId, chat.IsGroup));
                break;
            case "instances":
                screens.Reply(chat, await screens.InstanceListAsync(chat, actor, argument, 0, cancellationToken));
                break;
            case "instance":
                await InstanceAsync(chat, actor, argument, cancellationToken);
                break;
            case "approvals":
                await ApprovalsAsync(chat, actor, cancellationToken);
                break;
            case "alerts":
                await AlertsAsync(chat, actor, cancellationToken);
                break;
            case "patch":
                screens.Reply(chat, patching is null ? "Patching is not set up on this portal." : await patching.SummaryAsync(actor, cancellationToken));
                break;
            case "compliance":
                await ComplianceAsync(chat, actor, cancellationToken);
                break;
            case "groups":
                screens.Reply(chat, scaling is null ? new Screen("Auto scaling is not set up on this portal.") : await scaling.GroupsAsync(chat, actor, argument, cancellationToken));
                break;
            case "group":
                screens.Reply(chat, scaling is null ? new Screen("Auto scaling is not set up on this portal.") : await scaling.GroupAsync(chat, actor, argument, cancellationToken));
                break;
            case "lb":
                screens.Reply(chat, loadBalancers is null ? "Load balancing is not set up on this portal." : await loadBalancers.SummaryAsync(actor, argument, cancellationToken));
                break;
            case "cost":
                screens.Reply(chat, costs is null ? "Costs are not set up on this portal." : await costs.CostAsync(actor, cancellationToken));
                break;
            case "savings":
                if (costs is null)
                {
                    screens.Reply(chat, "Costs are not set up on this portal.");
                }
                else
                {
                    screens.Reply(chat, await costs.SavingsAsync(chat, actor, cancellationToken));
                }

                break;
            case "digest":
                screens.Reply(chat, digest is null ? "Costs are not set up on this portal." : argument?.ToLowerInvariant() switch
                {
                    "on" => await digest.SubscribeAsync(chat.ChatId, chat.IsGroup, actor, cancellationToken),
                    "off" => await digest.UnsubscribeAsync(chat.ChatId, cancellationToken),
                    _ => await digest.StatusAsync(chat.ChatId, cancellationToken),
                });
                break;
            case "offhours":
                screens.Reply(chat, offHours is null ? "Off-hours schedules are not set up on this portal." : await offHours.SummaryAsync(actor, cancellationToken));
                break;
            case "keep":
                screens.Reply(chat, offHours is null ? "Off-hours schedules are not set up on this portal." : await offHours.KeepAsync(chat, actor, argument, cancellationToken));
                break;
            case "backups":
                screens.Reply(chat, backups is null ? "Backups are not set up on this portal." : await backups.SummaryAsync(actor, cancellationToken));
                break;
            case "restore":
                screens.Reply(chat, backups is null ? new Screen("Backups are not set up on this portal.") : await backups.RestoreAsync(chat, actor, argument, cancellationToken));
                break;
            default:
                screens.Reply(chat, $"I don't know /{Escape(command.Name)}. /help lists what I can do.");
                break;
        }
    }

    internal sealed record Command(string Name, string? Bot);

    /// <summary>"/name@bot argument" → (name, bot) and the argument (trimmed, at most 200 characters).</summary>
    internal static (Command? Command, string? Argument) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text[0] != '/' || text.Length < 2)
        {
            return (null, null);
        }

        var space = text.AsSpan().IndexOfAny(' ', '\n', '\t');
        var head = space < 0 ? text[1..] : text[1..space];
        var argument = space < 0 ? null : text[(space + 1)..].Trim();
        var at = head.IndexOf('@', StringComparison.Ordinal);
        var name = (at < 0 ? head : head[..at]).ToLowerInvariant();
        var bot = at < 0 ? null : head[(at + 1)..];
        if (name.Length is 0 or > 32 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return (new Command(name.Length > 32 ? name[..32] : name, bot), null);
        }

        if (argument is { Length: > MaxArgument })
        {
            argument = argument[..MaxArgument];
        }

        return (new Command(name, bot), string.IsNullOrEmpty(argument) ? null : argument);
    }

    private async Task StartAsync(BotChat chat, string? code, CancellationToken cancellationToken)
    {
        if (code is null)
        {
            screens.Reply(chat, chat.IsLinked
                ? $"Hello {Escape(chat.User!.DisplayName)}. /help lists what I can do."
                : "Hello. " + Views.NotLinked);
            return;
        }

        if (chat.IsGroup)
        {
            screens.Reply(chat, "Link your account in a private chat with me, not in a group: the code is yours alone.");
            return;
        }

        var outcome = await linking.LinkAsync(code, chat.From.Id, chat.From.Username, cancellationToken);
        screens.Reply(chat, outcome.Linked
            ? $"Linked: you are {Bold(outcome.User!.UserName)} ({outcome.User.Role}). Try /instances, or /help."
            : Escape(outcome.Message));
    }

    private async Task InstanceAsync(BotChat chat, Actor actor, string? argument, CancellationToken cancellationToken)
    {
        if (argument is null)
        {
            screens.Reply(chat, "Which one? Send <code>/instance i-0123456789abcdef0</code> or <code>/instance web-1</code>.");
            return;
        }

        var found = await FindAsync(argument, cancellationToken);
        if (found.Count == 0)
        {
            screens.Reply(chat, $"No instance is called {Code(argument)}. /instances {Escape(argument)} searches more loosely.");
            return;
        }

        var visible = found.Where(i => Authorizer.MaySee(actor, i)).ToList();
        if (visible.Count == 0)
        {
            // Outside the person's scopes reads as "no such instance" (as on the web), and the refusal is audited.
            var refused = found[0];
            await audit.AppendAsync(chat.Audit("telegram.instance.view", refused.Ref.ToString(), AuditOutcome.Denied, $"{refused.InstanceId} is outside {actor.Name}'s scope.")
                with { Where = Footprint.Of(refused.AccountId, refused.Region, refused.Tags) }, cancellationToken);
            screens.Reply(chat, $"No instance is called {Code(argument)}. /instances {Escape(argument)} searches more loosely.");
            return;
        }

        if (visible.Count > 1)
        {
            screens.Reply(chat, await screens.InstanceListAsync(chat, actor, argument, 0, cancellationToken));
            return;
        }

        screens.Reply(chat, await screens.InstanceAsync(chat, actor, visible[0], cancellationToken));
    }

    /// <summary>Exact matches by instance id, full reference or name, whoever may see them (the caller filters by scope).</summary>
    private async Task<IReadOnlyList<Instance>> FindAsync(string argument, CancellationToken cancellationToken)
    {
        if (InstanceRef.TryParse(argument, out var reference) && await inventory.FindAsync(reference!, cancellationToken) is { } exact)
        {
            return [exact];
        }

        var page = await inventory.QueryAsync(new InstanceQuery { Text = argument, PageSize = InstanceQuery.MaxPageSize }, cancellationToken);
        var byId = page.Items.Where(i => string.Equals(i.InstanceId, argument, StringComparison.OrdinalIgnoreCase)).ToList();
        return byId.Count > 0 ? byId : page.Items.Where(i => string.Equals(i.Name, argument, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>The open alerts this person may see (the Authorizer's read scope, applied by the store), most severe first.</summary>
    private async Task AlertsAsync(BotChat chat, Actor actor, CancellationToken cancellationToken)
    {
        if (alerts is null)
        {
            screens.Reply(chat, "Monitoring is not running on this portal.");
            return;
        }

        var page = await alerts.QueryAsync(new AlertQuery(OpenOnly: true, PageSize: 200) { VisibleTo = Authorizer.ReadScopeOf(actor) }, cancellationToken);
        var open = page.Items.OrderByDescending(a => a.Severity).ThenByDescending(a => a.OpenedAt).ToList();
        if (open.Count == 0)
        {
            screens.Reply(chat, "✅ No open alerts on your instances.");
            return;
        }

        var text = new System.Text.StringBuilder(Bold($"{open.Count} open alert(s)")).Append('\n');
        foreach (var alert in open.Take(MaxApprovalsShown))
        {
            text.Append("• ").Append(Escape(alert.Title)).Append(" — ").Append(Escape(alert.Status.ToString().ToLowerInvariant()))
                .Append(", since ").Append(Escape(Views.When(alert.OpenedAt))).Append('\n');
        }

        screens.Reply(chat, text.ToString());
    }

    /// <summary>The compliance score within the person's scopes, and the worst policies as buttons.</summary>
    private async Task ComplianceAsync(BotChat chat, Actor actor, CancellationToken cancellationToken)
    {
        if (compliance is null)
        {
            screens.Reply(chat, "Compliance is not set up on this portal.");
            return;
        }

        var keyboard = screens.Keyboard(chat);
        var text = await compliance.SummaryAsync(actor, keyboard, cancellationToken);
        screens.Reply(chat, new Screen(text, await keyboard.BuildAsync(cancellationToken)));
    }

    private async Task ApprovalsAsync(BotChat chat, Actor actor, CancellationToken cancellationToken)
    {
        if (!actor.IsAtLeast(Role.Approver))
        {
            screens.Reply(chat, $"Only Approvers decide requests; you are {actor.Role}.");
            return;
        }

        var now = clock.GetUtcNow();
        var mine = (await approvals.ListAsync(ApprovalStatus.Pending, 500, cancellationToken))
            .Where(r => !r.IsExpiredAt(now) && Authorizer.AuthorizeDecision(actor, r).Allowed)
            .ToList();
        if (mine.Count == 0)
        {
            screens.Reply(chat, "Nothing waits for your decision.");
            return;
        }

        screens.Reply(chat, mine.Count > MaxApprovalsShown
            ? $"{mine.Count} requests wait for you; here are the {MaxApprovalsShown} newest. The portal's Approvals page has them all."
            : $"{mine.Count} request(s) wait for you:");
        foreach (var request in mine.Take(MaxApprovalsShown))
        {
            screens.Reply(chat, await screens.ApprovalAsync(chat, request, cancellationToken), request.Id);
        }
    }
}
