using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>One service's spend this month so far against the same days of last month.</summary>
public sealed record SpendMover(string Group, decimal ThisMonth, decimal LastMonth)
{
    public decimal Change => ThisMonth - LastMonth;
}

/// <summary>What the Monday look shows: month to date, the same days last month, last month in full, the forecast, and the movers.</summary>
public sealed record SpendSummary(
    IReadOnlyList<string> Accounts,
    decimal MonthToDate,
    decimal LastMonthSamePeriod,
    decimal LastMonth,
    SpendForecast Forecast,
    IReadOnlyList<SpendMover> Movers,
    string Currency,
    DateTimeOffset AsOf)
{
    /// <summary>This month's expected end: what is spent plus the forecast of the rest of the month.</summary>
    public decimal MonthEndEstimate => MonthToDate + (Forecast.Months.FirstOrDefault()?.Mean ?? 0);
}

/// <summary>
/// Spend as one person may see it. Spend is per account and cannot be split by a person's region or tag scope, so an account's
/// spend is shown to those whose scope covers the whole account (any region, no tag condition); narrower scopes see the
/// recommendations for their resources but no account bill.
/// </summary>
public sealed class CostOverview(ISpendSource source, TimeProvider clock)
{
    public const int ForecastMonths = 3;

    /// <summary>The accounts whose spend this person may see, of those configured.</summary>
    public static IReadOnlyList<string> VisibleAccounts(Actor actor, IEnumerable<string> accounts) =>
        accounts.Where(a => actor.Scopes.Any(s => (s.Account == Scope.Any || s.Account == a) && s.Region == Scope.Any && s.TagKey is null)).Distinct().ToList();

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Answers a spend question for the accounts the person may see (the query's accounts narrowed to those).</summary>
    public async Task<SpendReport> SpendAsync(SpendQuery query, IReadOnlyList<string> visible, CancellationToken cancellationToken = default)
    {
        query.Validate(Today);
        var accounts = query.Accounts.Count == 0 ? visible : query.Accounts.Intersect(visible, StringComparer.Ordinal).ToList();
        if (accounts.Count == 0)
        {
            return new SpendReport(query with { Accounts = [] }, [], "USD", clock.GetUtcNow(), false);
        }

        if (query.GroupBy == SpendDimension.Tag)
        {
            var tags = await source.CostAllocationTagsAsync(accounts, cancellationToken);
            if (!tags.Contains(query.TagKey!, StringComparer.Ordinal))
            {
                throw new CostRuleException(
                    $"'{query.TagKey}' is not an active cost-allocation tag ({(tags.Count == 0 ? "none is active" : "active: " + string.Join(", ", tags))}). " +
                    "Activate it in the Billing console under Cost allocation tags (or with ce:UpdateCostAllocationTagsStatus); spend is grouped by it from then on, not back-filled.");
            }
        }

        return await source.GetAsync(query with { Accounts = accounts }, cancellationToken);
    }

    /// <summary>Month to date against the same days last month, last month in full, the next three months' forecast and the top movers by service.</summary>
    public async Task<SpendSummary> SummaryAsync(IReadOnlyList<string> visible, int movers = 5, CancellationToken cancellationToken = default)
    {
        var today = Today;
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var lastStart = monthStart.AddMonths(-1);
        var daysIn = today.Day - 1;
        if (visible.Count == 0)
        {
            return new SpendSummary([], 0, 0, 0, new SpendForecast([], "USD", clock.GetUtcNow()), [], "USD", clock.GetUtcNow());
        }

        // One daily question covering last month and this month so far answers all three totals and the movers.
        var daily = await source.GetAsync(new SpendQuery(lastStart, today <= monthStart ? monthStart.AddDays(1) : today, SpendGranularity.Daily, SpendDimension.Service, visible), cancellationToken);
        var sameEnd = lastStart.AddDays(Math.Min(daysIn, lastStart.AddMonths(1).AddDays(-1).Day));
        decimal Sum(Func<SpendLine, bool> where) => daily.Lines.Where(where).Sum(l => l.Amount);
        var mtd = Sum(l => l.Start >= monthStart && l.Start < today);
        var lastSame = Sum(l => l.Start >= lastStart && l.Start < sameEnd);
        var last = Sum(l => l.Start >= lastStart && l.Start < monthStart);
        var top = daily.Lines.GroupBy(l => l.Group, StringComparer.Ordinal)
            .Select(g => new SpendMover(g.Key, g.Where(l => l.Start >= monthStart && l.Start < today).Sum(l => l.Amount), g.Where(l => l.Start >= lastStart && l.Start < sameEnd).Sum(l => l.Amount)))
            .OrderByDescending(m => Math.Abs(m.Change))
            .ThenBy(m => m.Group, StringComparer.Ordinal)
            .Take(movers)
            .ToList();
        var forecast = await source.ForecastAsync(visible, today, monthStart.AddMonths(ForecastMonths), cancellationToken);
        return new SpendSummary(visible, mtd, lastSame, last, forecast, top, daily.Currency, daily.AsOf < forecast.AsOf ? daily.AsOf : forecast.AsOf);
    }
}
