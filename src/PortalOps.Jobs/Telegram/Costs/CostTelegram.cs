using System.Globalization;
using System.Text;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Buttons;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Costs;

/// <summary>
/// The bot's cost screens: <c>/cost</c> (month to date, the forecast and the top five movers, for the accounts the person's scope
/// covers whole) and <c>/savings</c> (the top recommendations they may see, each with an Apply button that goes to the pipeline,
/// where it waits for approval, and for an idle instance a Schedule button that offers the off-hours schedules to attach). No rule
/// lives here: scope, rights and approvals are the use cases'.
/// </summary>
internal sealed class CostTelegram(CostOverview overview, CostRecommendations recommendations, ICloudProvider cloud, BotScreens screens, TimeProvider clock, RecommendationSchedules? schedules = null)
{
    /// <summary>The most schedules offered as buttons under one recommendation.</summary>
    public const int ScheduleChoices = 8;

    public const int Shown = 5;

    public async Task<string> CostAsync(Actor actor, CancellationToken cancellationToken)
    {
        var visible = CostOverview.VisibleAccounts(actor, cloud.Accounts.Select(a => a.Id));
        if (visible.Count == 0)
        {
            return "Spend is shown to people whose scope covers a whole account; yours does not. /savings lists the recommendations for your resources.";
        }

        var s = await overview.SummaryAsync(visible, Shown, cancellationToken);
        var text = new StringBuilder(Bold("Cost")).Append(' ').Append(Escape($"({visible.Count} account(s), {s.Currency})")).Append('\n')
            .Append("Month to date: ").Append(Bold(Money(s.MonthToDate)))
            .Append(Escape(s.LastMonthSamePeriod == 0 ? string.Empty : $" ({(s.MonthToDate - s.LastMonthSamePeriod) / s.LastMonthSamePeriod:+0.0%;-0.0%;0.0%} vs the same days last month)")).Append('\n')
            .Append("Month-end estimate: ").Append(Escape(Money(s.MonthEndEstimate))).Append(" · last month ").Append(Escape(Money(s.LastMonth))).Append('\n')
            .Append("Forecast: ").Append(Escape(string.Join(" · ", s.Forecast.Months.Select(m => $"{m.Month.ToString("MMM", CultureInfo.InvariantCulture)} {Money(m.Mean)}"))))
            .Append('\n');
        if (s.Movers.Count > 0)
        {
            text.Append(Bold("Top movers")).Append('\n');
            foreach (var m in s.Movers)
            {
                text.Append("• ").Append(Escape(m.Group)).Append(": ").Append(Escape(Money(m.ThisMonth)))
                    .Append(Escape($" ({(m.Change >= 0 ? "+" : string.Empty)}{Money(m.Change)})")).Append('\n');
            }
        }

        var age = clock.GetUtcNow() - s.AsOf;
        return text.Append(Escape($"As of {Views.When(s.AsOf)} ({(int)age.TotalMinutes} min ago).")).ToString();
    }

    public async Task<Screen> SavingsAsync(BotChat chat, Actor actor, CancellationToken cancellationToken)
    {
        var totals = await recommendations.TotalsAsync(actor, cancellationToken);
        // The largest ones PortalOps can apply come first; purchases and Spot moves (decisions it does not take) fill the rest.
        var page = await recommendations.QueryAsync(actor, new RecommendationQuery(clock.GetUtcNow(), 0, 50), cancellationToken);
        var items = page.Items.Where(v => v.Recommendation.Applicable).Concat(page.Items.Where(v => !v.Recommendation.Applicable)).Take(Shown).ToList();
        if (items.Count == 0)
        {
            return new Screen("✅ No open cost recommendations for your resources.");
        }

        var text = new StringBuilder(Bold($"{totals.Count} recommendation(s), {Money(totals.MonthlySaving)}/month")).Append('\n');
        var keyboard = screens.Keyboard(chat);
        var schedulable = new List<(int N, string Key)>();
        var n = 0;
        foreach (var v in items)
        {
            n++;
            var r = v.Recommendation;
            text.Append(n).Append(". ").Append(Escape(r.Describe())).Append(" — ").Append(Bold($"{Money(r.MonthlySaving)}/mo"))
                .Append(Escape($", {r.Confidence.ToString().ToLowerInvariant()} confidence")).Append('\n');
            if (actor.IsAtLeast(Role.Operator) && v.AppliedAt is null && r.Applicable)
            {
                if ((n - 1) % 3 == 0)
                {
                    keyboard.Row();
                }

                keyboard.Button($"Apply {n}", ButtonKind.ApplyRecommendation, new ButtonArguments(Recommendation: r.Key));
            }

            if (schedules is not null && actor.IsAtLeast(Role.Operator) && v.AppliedAt is null && r.Schedulable)
            {
                schedulable.Add((n, r.Key));
            }
        }

        // An idle instance may rather follow an off-hours schedule: a row of its own under the Apply buttons.
        if (schedulable.Count > 0)
        {
            keyboard.Row();
        }

        foreach (var (number, key) in schedulable)
        {
            keyboard.Button($"Schedule {number}", ButtonKind.ScheduleRecommendation, new ButtonArguments(Recommendation: key));
        }

        text.Append(Escape("Apply asks for approval first; the portal's Cost page has them all."));
        return new Screen(text.ToString(), await keyboard.BuildAsync(cancellationToken));
    }

    public Task<ActionResult> ApplyAsync(Actor actor, string key, CancellationToken cancellationToken) =>
        recommendations.ApplyAsync(actor, key, cancellationToken);

    /// <summary>The off-hours schedules this person may attach to the recommendation's idle instance, one button each.</summary>
    public async Task<Screen> ScheduleChoicesAsync(BotChat chat, string key, CancellationToken cancellationToken)
    {
        var view = schedules is null ? null : await recommendations.FindAsync(chat.Actor, key, cancellationToken);
        if (schedules is null || view is null)
        {
            return new Screen("⛔ No such recommendation.");
        }

        var r = view.Recommendation;
        var choices = await schedules.ChoicesAsync(chat.Actor, r, cancellationToken);
        if (choices.Count == 0)
        {
            return new Screen(Escape($"No switched-on off-hours schedule that you may see acts in {r.AccountId}/{r.Region}; make one on the portal's Off-hours page."));
        }

        var keyboard = screens.Keyboard(chat);
        foreach (var s in choices.Take(ScheduleChoices))
        {
            keyboard.Row().Button(s.Name, ButtonKind.AttachSchedule, new ButtonArguments(Recommendation: key, Filter: s.Name));
        }

        var text = new StringBuilder(Bold("Attach an off-hours schedule")).Append('\n').Append(Escape(r.Describe())).Append('\n')
            .Append(Escape($"It then runs only in the schedule's periods: the instance gets the tag {schedules.TagKey}=<schedule> once approved."));
        return new Screen(text.ToString(), await keyboard.BuildAsync(cancellationToken));
    }

    public Task<ActionResult> AttachScheduleAsync(Actor actor, string key, string? schedule, CancellationToken cancellationToken) =>
        schedules is null
            ? Task.FromResult(new ActionResult(ActionStatus.NotFound, "Off-hours schedules are not available here."))
            : schedules.AttachAsync(actor, key, schedule, cancellationToken);

    private static string Money(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " USD";
}
