using System.Globalization;
using System.Text;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>The texts the bot shows, in HTML parse mode; every value that comes from people or the cloud is escaped.</summary>
internal static class Views
{
    public const string Help =
        "<b>PortalOps bot</b>\n"
        + "/instances [filter] — your instances, a page at a time\n"
        + "/instance &lt;id or name&gt; — one instance, with Start / Stop / Reboot / Terminate\n"
        + "/approvals — requests waiting for your decision\n"
        + "/alerts — monitoring alerts\n"
        + "/patch — patch compliance and the latest patch runs\n"
        + "/compliance — compliance score and the worst policies, with Remediate / Grant exception\n"
        + "/cost — month to date, forecast and top movers\n"
        + "/savings — top cost recommendations, with Apply\n"
        + "/digest on|off — the weekly cost digest in this chat\n"
        + "/groups [filter] — your Auto Scaling groups; /group &lt;name&gt; — one group, with desired −1 / +1\n"
        + "/lb [name] — load balancers' target health\n"
        + "/offhours — off-hours schedules, drift and overrides; /keep &lt;name&gt; &lt;HH:mm&gt; — keep one running until then today\n"
        + "/backups — RPO met and missed, recent runs, unprotected instances; /restore &lt;name&gt; — restore it in its DR region (confirm, then approval)\n"
        + "/whoami — who PortalOps thinks you are\n"
        + "/help — this list\n\n"
        + "Every action goes through the same rights, approvals and audit log as the web console.";

    public const string NotLinked =
        "This Telegram account is not linked to PortalOps.\n"
        + "Open <b>Profile → Telegram</b> in the portal, press <b>Link Telegram</b>, and follow the link (or send me <code>/start CODE</code>).";

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string State(InstanceState state) => state switch
    {
        InstanceState.Pending => "pending",
        InstanceState.Running => "running",
        InstanceState.Stopping => "stopping",
        InstanceState.Stopped => "stopped",
        InstanceState.ShuttingDown => "shutting-down",
        InstanceState.Terminated => "terminated",
    };

    public static string Label(Instance i) => string.IsNullOrEmpty(i.Name) ? i.InstanceId : i.Name;

    public static string InstanceLine(Instance i) =>
        $"• {Bold(Label(i))} {Code(i.InstanceId)} — {State(i.State)} · {Escape(i.InstanceType)} · {Escape(i.Region)}";

    public static string Details(Instance i)
    {
        var text = new StringBuilder()
            .Append(Bold(Label(i))).Append(' ').Append(Code(i.InstanceId)).Append('\n')
            .Append("State: ").Append(Bold(State(i.State))).Append('\n')
            .Append("Type: ").Append(Escape(i.InstanceType)).Append(" · ").Append(Escape(i.Platform)).Append('\n')
            .Append("Where: ").Append(Code($"{i.AccountId}/{i.Region}")).Append(" (").Append(Escape(i.AvailabilityZone)).Append(")\n");
        if (i.PrivateIp is not null)
        {
            text.Append("Private IP: ").Append(Code(i.PrivateIp)).Append('\n');
        }

        text.Append("Launched: ").Append(When(i.LaunchTime));
        foreach (var (key, value) in i.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Take(20))
        {
            text.Append('\n').Append("🏷 ").Append(Escape(key)).Append('=').Append(Escape(value));
        }

        return text.ToString();
    }

    /// <summary>What will happen, to what: the question before any action.</summary>
    public static string Confirm(InstanceAction action, Instance i)
    {
        var effect = action switch
        {
            InstanceAction.Start => "It starts and is billed while it runs.",
            InstanceAction.Stop => "Whatever runs on it stops; instance-store data is lost. It can be started again.",
            InstanceAction.Reboot => "It restarts now; whatever runs on it is interrupted for a few minutes.",
            InstanceAction.Hibernate => "Its memory is saved to its root volume and it stops; starting it again resumes where it was.",
            InstanceAction.Terminate => "It is deleted for good, with its instance-store and delete-on-termination volumes. This cannot be undone; it needs a second person's approval.",
        };
        var tags = i.Tags.Count == 0 ? "no tags" : string.Join(", ", i.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Take(6).Select(t => $"{t.Key}={t.Value}"));
        return $"⚠️ {Bold($"{action} {Label(i)}?")}\n"
            + $"Blast radius: 1 instance, {Code(i.InstanceId)} in {Code($"{i.AccountId}/{i.Region}")}, now {State(i.State)} ({Escape(tags)}).\n"
            + Escape(effect);
    }

    public static string Whoami(PortalUser user, long telegramUserId, long chatId, bool isGroup) =>
        $"You are {Bold(user.UserName)} ({Escape(user.DisplayName)}), {Bold(user.Role.ToString())}.\n"
        + $"Scopes: {string.Join(", ", user.Scopes.Select(s => Code(s.ToString())))}\n"
        + $"Telegram user id: {Code(telegramUserId.ToString(CultureInfo.InvariantCulture))}"
        + (isGroup ? $"\nThis group's chat id: {Code(chatId.ToString(CultureInfo.InvariantCulture))}" : string.Empty);

    /// <summary>An approval request as approvers see it; once decided, the same message says who decided and when.</summary>
    public static string Approval(ApprovalRequest r)
    {
        var text = new StringBuilder();
        text.Append(r.Status switch
        {
            ApprovalStatus.Pending => "🔔 <b>Approval needed</b>",
            ApprovalStatus.Approved => $"✅ <b>Approved</b> by {Bold(r.DecidedByName)} via {r.DecidedVia} at {When(r.DecidedAt ?? r.CreatedAt)}",
            ApprovalStatus.Denied => $"❌ <b>Denied</b> by {Bold(r.DecidedByName)} via {r.DecidedVia} at {When(r.DecidedAt ?? r.CreatedAt)}",
            ApprovalStatus.Expired => $"⌛ <b>Expired</b> at {When(r.CompletedAt ?? r.ExpiresAt)} without a decision",
            ApprovalStatus.Executing => $"⏳ <b>Running</b> — approved by {Bold(r.DecidedByName)} via {r.DecidedVia} at {When(r.DecidedAt ?? r.CreatedAt)}",
            ApprovalStatus.Executed => $"✅ <b>Done</b> — approved by {Bold(r.DecidedByName)} via {r.DecidedVia} at {When(r.DecidedAt ?? r.CreatedAt)}",
            ApprovalStatus.Failed => $"⚠️ <b>Failed</b> — approved by {Bold(r.DecidedByName)} via {r.DecidedVia} at {When(r.DecidedAt ?? r.CreatedAt)}",
        }).Append('\n');
        text.Append(Bold(r.RequestedByName)).Append(" asks to ").Append(Escape(r.Summary.ToLowerInvariant())).Append('\n');
        text.Append("Rule: ").Append(Escape(r.Rule)).Append('\n');
        if (!string.IsNullOrWhiteSpace(r.Reason))
        {
            text.Append("Reason: ").Append(Escape(r.Reason)).Append('\n');
        }

        foreach (var t in r.Targets.Take(10))
        {
            text.Append("• ").Append(Code(t.Ref.ToString()));
            if (!string.IsNullOrEmpty(t.Name))
            {
                text.Append(' ').Append(Escape(t.Name));
            }

            text.Append('\n');
        }

        if (r.Targets.Count > 10)
        {
            text.Append("… and ").Append(r.Targets.Count - 10).Append(" more\n");
        }

        if (r.DecisionReason is not null)
        {
            text.Append("Decision note: ").Append(Escape(r.DecisionReason)).Append('\n');
        }

        if (r.Outcome is not null && r.Status is ApprovalStatus.Executed or ApprovalStatus.Failed)
        {
            text.Append("Outcome: ").Append(Escape(r.Outcome)).Append('\n');
        }

        text.Append(r.Status == ApprovalStatus.Pending ? $"Expires {When(r.ExpiresAt)}" : $"Requested {When(r.CreatedAt)}");
        return text.ToString();
    }
}
