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
/// where it waits for approval). No rule lives here: scope, rights and approvals are the use cases'.
/// </summary>
internal sealed class CostTelegram(CostOverview overview, CostRecommendations recommendations, ICloudProvider cloud, BotScreens screens, TimeProvider clock)
{
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
        }

        text.Append(Escape("Apply asks for approval first; the portal's Cost page has them all."));
        return new Screen(text.ToString(), await keyboard.BuildAsync(cancellationToken));
    }

    public Task<ActionResult> ApplyAsync(Actor actor, string key, CancellationToken cancellationToken) =>
        recommendations.ApplyAsync(actor, key, cancellationToken);

    private static string Money(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " USD";
}
