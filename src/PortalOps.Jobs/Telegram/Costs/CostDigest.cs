using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram.Outbox;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Costs;

/// <summary>
/// The weekly cost digest: chats subscribe with <c>/digest on</c> (a private chat for its person; an allowed group by an Operator, read
/// with that person's rights), and once a week each gets last week's spend against the week before, the month so far and its estimate,
/// the budgets, and the savings. One digest per chat and ISO week: the row for (chat, week) is written before the message is queued, so
/// a second run of the job — or a run on another node — finds it and sends nothing.
/// </summary>
public sealed class CostDigest(
    IDbContextFactory<PortalDbContext> contexts,
    IUserStore users,
    CostOverview overview,
    ISpendSource spend,
    CostWatch watch,
    CostRecommendations recommendations,
    SavingsTracker savings,
    ICloudProvider cloud,
    TelegramOutbox outbox,
    TimeProvider clock)
{
    /// <summary>Subscribes the chat for this person; returns what to say.</summary>
    public async Task<string> SubscribeAsync(long chatId, bool isGroup, Actor actor, CancellationToken cancellationToken = default)
    {
        if (isGroup && !actor.IsAtLeast(Role.Operator))
        {
            return "Subscribing a group to the cost digest needs the Operator role.";
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostDigestSubscriptions.SingleOrDefaultAsync(s => s.ChatId == chatId, cancellationToken);
        if (row is null)
        {
            db.CostDigestSubscriptions.Add(row = new CostDigestSubscriptionRow { ChatId = chatId });
        }

        row.UserId = actor.UserId;
        row.UserName = actor.Name;
        row.SubscribedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            // subscribed at the same moment by another message
        }

        return $"This chat gets the weekly cost digest on Mondays{(isGroup ? $", showing what {Escape(actor.Name)} may see" : string.Empty)}. /digest off stops it.";
    }

    public async Task<string> UnsubscribeAsync(long chatId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.CostDigestSubscriptions.Where(s => s.ChatId == chatId).ExecuteDeleteAsync(cancellationToken) > 0
            ? "This chat no longer gets the weekly cost digest."
            : "This chat was not subscribed to the weekly cost digest.";
    }

    public async Task<string> StatusAsync(long chatId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CostDigestSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.ChatId == chatId, cancellationToken);
        return row is null
            ? "This chat does not get the weekly cost digest. /digest on subscribes it."
            : $"This chat gets the weekly cost digest (subscribed by {Escape(row.UserName)}). /digest off stops it.";
    }

    /// <summary>The last whole ISO week before today (UTC): its key ("2026-W48") and its Monday.</summary>
    public static (string Key, DateOnly Monday) LastWeek(DateOnly today)
    {
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 7);
        var date = monday.ToDateTime(TimeOnly.MinValue);
        return ($"{ISOWeek.GetYear(date)}-W{ISOWeek.GetWeekOfYear(date):00}", monday);
    }

    /// <summary>Sends last week's digest to every subscribed chat that has not had it; returns how many were sent now.</summary>
    public async Task<int> SendAsync(CancellationToken cancellationToken = default)
    {
        var (week, monday) = LastWeek(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        List<CostDigestSubscriptionRow> subscriptions;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            subscriptions = await db.CostDigestSubscriptions.AsNoTracking().OrderBy(s => s.ChatId).ToListAsync(cancellationToken);
        }

        var sent = 0;
        foreach (var subscription in subscriptions)
        {
            var user = await users.FindAsync(subscription.UserId, cancellationToken);
            if (user is not { IsDisabled: false })
            {
                continue; // the person who subscribed the chat is gone: nobody's rights to read with
            }

            if (!await ClaimAsync(subscription.ChatId, week, cancellationToken))
            {
                continue;
            }

            var html = await TextAsync(user.AsActor(Channel.Telegram), week, monday, cancellationToken);
            foreach (var part in Split(html))
            {
                outbox.Enqueue(new OutboundMessage(subscription.ChatId, part));
            }

            sent++;
        }

        return sent;
    }

    /// <summary>The digest as <paramref name="actor"/> may see it.</summary>
    public async Task<string> TextAsync(Actor actor, string week, DateOnly monday, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder(Bold($"Cost digest {week}")).Append(Escape($" ({monday:MMM d} – {monday.AddDays(6):MMM d})")).Append('\n');
        var visible = CostOverview.VisibleAccounts(actor, cloud.Accounts.Select(a => a.Id));
        if (visible.Count == 0)
        {
            text.Append(Escape("Spend is shown to people whose scope covers a whole account; yours does not.")).Append('\n');
        }
        else
        {
            var report = await spend.GetAsync(new SpendQuery(monday.AddDays(-7), monday.AddDays(7), SpendGranularity.Daily, SpendDimension.Service, visible), cancellationToken);
            var lastWeek = report.Lines.Where(l => l.Start >= monday).Sum(l => l.Amount);
            var before = report.Lines.Where(l => l.Start < monday).Sum(l => l.Amount);
            text.Append("Last week: ").Append(Bold(Money(lastWeek)))
                .Append(Escape(before == 0 ? string.Empty : $" ({(lastWeek - before) / before:+0.0%;-0.0%;0.0%} vs the week before, {Money(before)})"))
                .Append('\n');
            var movers = report.Lines.GroupBy(l => l.Group, StringComparer.Ordinal)
                .Select(g => (Group: g.Key, Change: g.Where(l => l.Start >= monday).Sum(l => l.Amount) - g.Where(l => l.Start < monday).Sum(l => l.Amount)))
                .OrderByDescending(m => Math.Abs(m.Change)).ThenBy(m => m.Group, StringComparer.Ordinal).Take(3).ToList();
            foreach (var (group, change) in movers)
            {
                text.Append("• ").Append(Escape($"{group}: {(change >= 0 ? "+" : string.Empty)}{Money(change)}")).Append('\n');
            }

            var s = await overview.SummaryAsync(visible, 0, cancellationToken);
            text.Append("Month to date: ").Append(Escape(Money(s.MonthToDate))).Append(" · estimate ").Append(Escape(Money(s.MonthEndEstimate))).Append('\n');
        }

        foreach (var status in await watch.StatusesAsync(actor, cancellationToken))
        {
            text.Append("Budget ").Append(Bold(status.Budget.Name)).Append(Escape($": {status.ActualPercent:0.#} % spent, {status.ForecastPercent:0.#} % forecast of {Money(status.Budget.MonthlyAmount)}")).Append('\n');
        }

        var open = await recommendations.TotalsAsync(actor, cancellationToken);
        var realized = await savings.OverviewAsync(actor, 7, cancellationToken);
        text.Append(Escape($"Open savings: {open.Count} recommendation(s), {Money(open.MonthlySaving)}/month (/savings)")).Append('\n')
            .Append(Escape($"Realized: {Money(realized.SavedToDate)} so far, {Money(realized.MonthlyRate)}/month from {realized.Realized} applied change(s)"));
        return text.ToString();
    }

    private async Task<bool> ClaimAsync(long chatId, string week, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.CostDigests.AnyAsync(d => d.ChatId == chatId && d.Week == week, cancellationToken))
        {
            return false;
        }

        db.CostDigests.Add(new CostDigestRow { ChatId = chatId, Week = week, SentAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    private static string Money(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " USD";
}
