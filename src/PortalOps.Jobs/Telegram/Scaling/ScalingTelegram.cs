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

namespace PortalOps.Jobs.Telegram.Scaling;

/// <summary>
/// The bot's Auto Scaling screens: <c>/groups</c> (the groups the person may see, short ones first) and <c>/group NAME</c> (one group,
/// with desired −1 / +1 buttons for Operators). A press goes through <see cref="ScalingOperations"/> and so the action pipeline,
/// with the button's id as idempotency key: a double press acts once. The same screen offers Refresh (an instance refresh with the
/// default preferences, which waits for approval by rule) or, while one runs, its progress and Cancel refresh; and, while the group's
/// CloudWatch metrics collection is off, Enable metrics (the same <c>scaling.metrics.enable</c> action the group page submits).
/// </summary>
internal sealed class ScalingTelegram(ScalingOperations scaling, BotScreens screens, IAuditLog audit)
{
    public const int MaxListed = 15;

    /// <summary>The scale-group button's action that starts an instance refresh, and the one that cancels it.</summary>
    public const string RefreshAction = "refresh";
    public const string CancelRefreshAction = "cancel-refresh";

    /// <summary>The scale-group button's action that enables the group's metrics collection.</summary>
    public const string EnableMetricsAction = "enable-metrics";

    public async Task<Screen> GroupsAsync(BotChat chat, Actor actor, string? filter, CancellationToken cancellationToken)
    {
        var (page, problems) = await scaling.ListAsync(actor, new ScalingGroupQuery(0, ScalingGroupQuery.MaxPageSize) { Text = filter }, cancellationToken);
        if (page.TotalCount == 0)
        {
            return new Screen(string.IsNullOrWhiteSpace(filter) ? "No Auto Scaling groups that you can see." : $"No Auto Scaling groups matching {Code(filter)} that you can see.");
        }

        var shown = page.Items.OrderBy(g => g.IsSettled && g.Unhealthy == 0).ThenBy(g => g.Name, StringComparer.OrdinalIgnoreCase).Take(MaxListed).ToList();
        var text = new StringBuilder(Bold($"{page.TotalCount} Auto Scaling group(s)")).Append('\n');
        foreach (var g in shown)
        {
            text.Append(Line(g)).Append('\n');
        }

        if (page.TotalCount > shown.Count)
        {
            text.Append($"… and {page.TotalCount - shown.Count} more; the portal's Auto scaling page has them all.\n");
        }

        foreach (var problem in problems)
        {
            text.Append("⚠️ ").Append(Escape(problem)).Append('\n');
        }

        var keyboard = screens.Keyboard(chat);
        for (var i = 0; i < shown.Count; i++)
        {
            if (i % 2 == 0)
            {
                keyboard.Row();
            }

            keyboard.Button(shown[i].Name, ButtonKind.ShowGroup, new ButtonArguments(Instance: shown[i].Ref.ToString()));
        }

        return new Screen(text.ToString().TrimEnd(), await keyboard.BuildAsync(cancellationToken));
    }

    /// <summary>One group by name (or account/region/name when the name is used in several places).</summary>
    public async Task<Screen> GroupAsync(BotChat chat, Actor actor, string? argument, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            return new Screen("Which one? Send <code>/group NAME</code>; /groups lists them.");
        }

        IReadOnlyList<ScalingGroup> found;
        if (InstanceRef.TryParse(argument, out var reference) && await scaling.FindAsync(actor, GroupRef.FromTarget(reference!), cancellationToken) is { } exact)
        {
            found = [exact];
        }
        else
        {
            var (page, _) = await scaling.ListAsync(actor, new ScalingGroupQuery(0, ScalingGroupQuery.MaxPageSize) { Text = argument }, cancellationToken);
            found = page.Items.Where(g => string.Equals(g.Name, argument, StringComparison.OrdinalIgnoreCase)).ToList();
        }

        if (found.Count == 0)
        {
            // Outside the person's scope reads as missing, as on the web.
            await audit.AppendAsync(chat.Audit("telegram.group.view", argument, AuditOutcome.Denied, $"No Auto Scaling group {argument} that {actor.Name} may see."), cancellationToken);
            return new Screen($"No Auto Scaling group is called {Code(argument)}. /groups lists yours.");
        }

        if (found.Count > 1)
        {
            return new Screen($"{found.Count} groups are called {Code(argument)}; send one of:\n" + string.Join("\n", found.Select(g => Code($"/group {g.Ref}"))));
        }

        return await GroupScreenAsync(chat, actor, found[0], null, cancellationToken);
    }

    public async Task<Screen> ShowAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken) =>
        InstanceRef.TryParse(button.Arguments.Instance, out var target) && await scaling.FindAsync(chat.Actor, GroupRef.FromTarget(target!), cancellationToken) is { } group
            ? await GroupScreenAsync(chat, chat.Actor, group, null, cancellationToken)
            : new Screen("That Auto Scaling group is gone or outside your scope.");

    /// <summary>Desired −1 / +1 pressed: through the pipeline, then the group again with the outcome on top.</summary>
    public async Task<Screen> ScaleAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken)
    {
        if (button.Arguments.Action is RefreshAction or CancelRefreshAction && InstanceRef.TryParse(button.Arguments.Instance, out var refreshed))
        {
            return await RefreshAsync(chat, button, GroupRef.FromTarget(refreshed!), button.Arguments.Action == RefreshAction, cancellationToken);
        }

        if (button.Arguments.Action == EnableMetricsAction && InstanceRef.TryParse(button.Arguments.Instance, out var collected))
        {
            return await EnableMetricsAsync(chat, button, GroupRef.FromTarget(collected!), cancellationToken);
        }

        if (!InstanceRef.TryParse(button.Arguments.Instance, out var target) || !int.TryParse(button.Arguments.Action, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var delta))
        {
            return new Screen("This button is not valid.");
        }

        var group = GroupRef.FromTarget(target!);
        var result = await scaling.AdjustDesiredAsync(chat.Actor, group, delta, $"telegram:{button.Id}", cancellationToken);
        var outcome = $"{Icon(result)} {Bold($"Desired {delta:+0;-0} on {group.Name}")}\n{Escape(result.Message)}";
        return await scaling.FindAsync(chat.Actor, group, cancellationToken) is { } now
            ? await GroupScreenAsync(chat, chat.Actor, now, outcome, cancellationToken)
            : new Screen(outcome);
    }

    /// <summary>Refresh or Cancel refresh pressed: through the pipeline (starting one waits for approval by rule), then the group again.</summary>
    private async Task<Screen> RefreshAsync(BotChat chat, StoredButton button, GroupRef group, bool start, CancellationToken cancellationToken)
    {
        var result = start
            ? await scaling.StartInstanceRefreshAsync(chat.Actor, group, new InstanceRefreshRequest(), "telegram", $"telegram:{button.Id}", cancellationToken)
            : await scaling.CancelInstanceRefreshAsync(chat.Actor, group, $"telegram:{button.Id}", cancellationToken);
        var outcome = $"{Icon(result)} {Bold($"{(start ? "Instance refresh" : "Cancel refresh")} on {group.Name}")}\n{Escape(result.Message)}";
        return await scaling.FindAsync(chat.Actor, group, cancellationToken) is { } now
            ? await GroupScreenAsync(chat, chat.Actor, now, outcome, cancellationToken)
            : new Screen(outcome);
    }

    /// <summary>Enable metrics pressed: through the pipeline with the button's id as idempotency key, then the group again.</summary>
    private async Task<Screen> EnableMetricsAsync(BotChat chat, StoredButton button, GroupRef group, CancellationToken cancellationToken)
    {
        var result = await scaling.EnableMetricsCollectionAsync(chat.Actor, group, $"telegram:{button.Id}", cancellationToken);
        var outcome = $"{Icon(result)} {Bold($"Enable metrics collection on {group.Name}")}\n{Escape(result.Message)}";
        return await scaling.FindAsync(chat.Actor, group, cancellationToken) is { } now
            ? await GroupScreenAsync(chat, chat.Actor, now, outcome, cancellationToken)
            : new Screen(outcome);
    }

    private static string Icon(ScalingChangeResult result) => result.Result?.Status switch
    {
        ActionStatus.Executed => "✅",
        ActionStatus.PendingApproval => "⏳",
        ActionStatus.Failed or ActionStatus.PartlySucceeded => "⚠️",
        _ => "⛔",
    };

    private async Task<Screen> GroupScreenAsync(BotChat chat, Actor actor, ScalingGroup g, string? outcome, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        if (outcome is not null)
        {
            text.Append(outcome).Append("\n\n");
        }

        text.Append(Bold(g.Name)).Append(' ').Append(Escape($"{g.Ref.AccountId}/{g.Ref.Region}")).Append('\n')
            .Append(Escape($"min {g.MinSize} · desired {g.DesiredCapacity} · max {g.MaxSize}")).Append('\n')
            .Append(Escape($"in service {g.InService} · pending {g.Pending} · unhealthy {g.Unhealthy}")).Append('\n')
            .Append(Escape($"template {g.LaunchTemplate ?? "—"}{(g.LaunchTemplateVersion is { } v ? $" v{v}" : string.Empty)} · {string.Join(", ", g.AvailabilityZones)}"));
        if (g.SuspendedProcesses.Count > 0)
        {
            text.Append('\n').Append("⏸ suspended: ").Append(Escape(string.Join(", ", g.SuspendedProcesses)));
        }

        var running = (await scaling.RefreshesAsync(actor, g.Ref, cancellationToken)).FirstOrDefault(r => r.IsRunning);
        if (running is not null)
        {
            text.Append('\n').Append("🔄 ").Append(Escape($"instance refresh {running.Status}{(running.AtCheckpoint ? " (paused at a checkpoint)" : string.Empty)}: {running.PercentageComplete}% complete, {running.InstancesToUpdate} to update"));
        }

        if (!g.CollectsCapacityMetrics)
        {
            text.Append('\n').Append("📉 CloudWatch group metrics collection is off.");
        }

        if (!actor.IsAtLeast(Role.Operator))
        {
            return new Screen(text.ToString());
        }

        var keyboard = screens.Keyboard(chat).Row();
        if (g.DesiredCapacity > g.MinSize)
        {
            keyboard.Button($"Desired −1 (→ {g.DesiredCapacity - 1})", ButtonKind.ScaleGroup, new ButtonArguments(Instance: g.Ref.ToString(), Action: "-1"));
        }

        if (g.DesiredCapacity < g.MaxSize)
        {
            keyboard.Button($"Desired +1 (→ {g.DesiredCapacity + 1})", ButtonKind.ScaleGroup, new ButtonArguments(Instance: g.Ref.ToString(), Action: "+1"));
        }

        keyboard.Row().Button(
            running is null ? "Refresh" : "Cancel refresh",
            ButtonKind.ScaleGroup,
            new ButtonArguments(Instance: g.Ref.ToString(), Action: running is null ? RefreshAction : CancelRefreshAction));
        if (!g.CollectsCapacityMetrics)
        {
            keyboard.Row().Button("Enable metrics", ButtonKind.ScaleGroup, new ButtonArguments(Instance: g.Ref.ToString(), Action: EnableMetricsAction));
        }

        return new Screen(text.ToString(), await keyboard.BuildAsync(cancellationToken));
    }

    private static string Line(ScalingGroup g) =>
        $"{(g.IsSettled && g.Unhealthy == 0 ? "🟢" : "🟠")} {Bold(g.Name)} {Escape($"{g.InService}/{g.DesiredCapacity} in service ({g.MinSize}–{g.MaxSize}) · {g.Ref.Region}")}";
}
