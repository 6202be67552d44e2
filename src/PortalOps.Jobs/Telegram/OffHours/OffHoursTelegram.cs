using System.Globalization;
using System.Text;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Buttons;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.OffHours;

/// <summary>
/// The bot's off-hours screens: <c>/offhours</c> (schedules, drift and overrides the person may see) and
/// <c>/keep NAME HH:MM</c> ("keep running until 22:00 today", in the time zone of the resource's schedule), and the warning's
/// Keep-running button. Both go through <see cref="OffHoursOperations"/> and so the action pipeline; a button acts once.
/// </summary>
internal sealed class OffHoursTelegram(OffHoursOperations offHours, IInventory inventory, ButtonStore buttons, IAuditLog audit, TimeProvider clock, IScaling? scaling = null)
{
    public const int MaxListed = 10;

    public async Task<string> SummaryAsync(Actor actor, CancellationToken cancellationToken)
    {
        var o = await offHours.OverviewAsync(actor, 1, cancellationToken);
        if (o.Schedules.Count == 0 && o.Drift.Count == 0)
        {
            return "No off-hours schedules that you can see.";
        }

        var text = new StringBuilder(Bold($"{o.Schedules.Count} off-hours schedule(s)")).Append('\n');
        foreach (var v in o.Schedules.Take(MaxListed))
        {
            text.Append(v.RunningNow ? "🟢 " : "🌙 ").Append(Escape(v.Schedule.Name))
                .Append(Escape($" — {v.Saving.Resources} resource(s), ~{v.Saving.PerMonth.ToString("#,##0", CultureInfo.InvariantCulture)} USD/month saved"))
                .Append(v.Next is { } next ? Escape($", next {(next.Kind == EdgeKind.Start ? "start" : "stop")} {next.At:ddd HH:mm} UTC") : string.Empty)
                .Append('\n');
        }

        text.Append(o.Drift.Count == 0 ? "✅ No drift.\n" : $"⚠️ {Bold($"{o.Drift.Count} drifting")}: ");
        text.Append(Escape(string.Join(", ", o.Drift.Take(MaxListed).Select(d => d.Subject.Name)))).Append(o.Drift.Count > 0 ? "\n" : string.Empty);
        foreach (var keep in o.Overrides.Take(MaxListed))
        {
            text.Append("⏱ ").Append(Escape($"{keep.Resource.Ref.InstanceId} kept running until {keep.Until:ddd HH:mm} UTC by {keep.ByName}")).Append('\n');
        }

        return text.Append(Escape("/keep NAME HH:MM keeps one running until then.")).ToString();
    }

    /// <summary><c>/keep NAME HH:MM [reason]</c>: the instance (id or name) or group that the person may see, until that time today.</summary>
    public async Task<string> KeepAsync(BotChat chat, Actor actor, string? argument, CancellationToken cancellationToken)
    {
        var parts = (argument ?? string.Empty).Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length < 2)
        {
            return "Send <code>/keep NAME HH:MM</code>, such as <code>/keep dev-web-01 22:00</code>: it keeps running until then today.";
        }

        var found = await FindAsync(actor, parts[0], cancellationToken);
        if (found is null)
        {
            await audit.AppendAsync(chat.Audit("telegram.offhours.keep", parts[0], AuditOutcome.Denied, "Not found or outside the person's scope."), cancellationToken);
            return $"Nothing you can see is called {Code(parts[0])}.";
        }

        var (resource, name, tags) = found.Value;
        var zone = await offHours.TimeZoneOfAsync(tags, cancellationToken);
        if (OffHoursOperations.TodayAt(parts[1], zone, clock.GetUtcNow()) is not { } until)
        {
            return $"{Code(parts[1])} is not a time; write it as HH:mm (in {Escape(zone)}).";
        }

        var answer = await offHours.KeepRunningAsync(actor, resource, until, parts.Length > 2 ? parts[2] : "Asked in Telegram", $"tg:{chat.ChatId}:{argument}:{clock.GetUtcNow():yyyyMMddHHmm}", cancellationToken);
        return Outcome(name, answer);
    }

    /// <summary>The warning's Keep-running button: once, on the presser's own rights.</summary>
    public async Task<Screen> PressAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken)
    {
        if (OffHoursResource.FromKey(button.Arguments.Instance) is not { } resource
            || !DateTimeOffset.TryParse(button.Arguments.Filter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
        {
            return new Screen("⛔ This button is not valid.");
        }

        if (!await buttons.UseAsync(button.Id, cancellationToken))
        {
            return new Screen("This button was already used.");
        }

        var answer = await offHours.KeepRunningAsync(chat.Actor, resource, until, "Keep-running button in Telegram", $"button:{button.Id}", cancellationToken);
        return new Screen(Outcome(resource.Ref.InstanceId, answer));
    }

    private static string Outcome(string name, OffHoursAnswer answer) =>
        answer.Problems.Count > 0 ? $"⛔ {Escape(string.Join(" ", answer.Problems.Values))}"
        : answer.Result is { } r ? $"{(r.Status == ActionStatus.Executed ? "✅" : r.Status == ActionStatus.PendingApproval ? "⏳" : "⛔")} {Bold(name)}: {Escape(r.Message)}"
        : "⛔ Nothing was done.";

    private async Task<(OffHoursResource Resource, string Name, IReadOnlyDictionary<string, string> Tags)?> FindAsync(Actor actor, string text, CancellationToken cancellationToken)
    {
        var page = await inventory.QueryAsync(new InstanceQuery { Text = text, VisibleTo = actor.Scopes, PageSize = 50 }, cancellationToken);
        var instance = page.Items.FirstOrDefault(i => string.Equals(i.InstanceId, text, StringComparison.OrdinalIgnoreCase))
            ?? page.Items.FirstOrDefault(i => string.Equals(i.Name, text, StringComparison.OrdinalIgnoreCase));
        if (instance is not null)
        {
            return (OffHoursResource.Instance(instance.Ref), instance.Name, instance.Tags);
        }

        if (scaling is null)
        {
            return null;
        }

        var group = (await scaling.ListGroupsAsync(cancellationToken)).Groups
            .FirstOrDefault(g => string.Equals(g.Name, text, StringComparison.OrdinalIgnoreCase) && Authorizer.MaySee(actor, g.Ref.AccountId, g.Ref.Region, g.Tags));
        return group is null ? null : (OffHoursResource.Group(group.Ref), group.Name, group.Tags);
    }
}
