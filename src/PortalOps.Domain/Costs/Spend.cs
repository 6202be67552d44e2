namespace PortalOps.Domain.Costs;

/// <summary>What spend is grouped by (Cost Explorer's GroupBy).</summary>
public enum SpendDimension
{
    Service,
    Account,
    Region,
    InstanceType,

    /// <summary>A cost-allocation tag (<see cref="SpendQuery.TagKey"/>): team, env ...</summary>
    Tag,
}

public enum SpendGranularity
{
    Daily,
    Monthly,
}

/// <summary>A spend question: a period [From, To), its granularity, the grouping, and the accounts it covers.</summary>
public sealed record SpendQuery(DateOnly From, DateOnly To, SpendGranularity Granularity, SpendDimension GroupBy, IReadOnlyList<string> Accounts, string? TagKey = null)
{
    /// <summary>Cost Explorer keeps 13 months (14 with the current one).</summary>
    public const int MaxMonthsBack = 13;

    /// <summary>The same question written the same way every time (the cache key).</summary>
    public string Key => $"{From:yyyy-MM-dd}|{To:yyyy-MM-dd}|{Granularity}|{GroupBy}|{TagKey}|{string.Join(',', Accounts.Order(StringComparer.Ordinal))}";

    /// <summary>Refuses a question Cost Explorer would refuse, with the reason.</summary>
    public void Validate(DateOnly today)
    {
        if (To <= From)
        {
            throw new CostRuleException("The period's end must be after its start.");
        }

        if (From < new DateOnly(today.Year, today.Month, 1).AddMonths(-MaxMonthsBack))
        {
            throw new CostRuleException($"Cost Explorer keeps {MaxMonthsBack} months of history; start later.");
        }

        if (Granularity == SpendGranularity.Daily && To.DayNumber - From.DayNumber > 92)
        {
            throw new CostRuleException("Daily spend covers at most 92 days; choose monthly for longer periods.");
        }

        if (GroupBy == SpendDimension.Tag && string.IsNullOrWhiteSpace(TagKey))
        {
            throw new CostRuleException("Name the tag key to group by (for example team).");
        }
    }
}

/// <summary>One group's amount for one period (a day or a month).</summary>
public sealed record SpendLine(DateOnly Start, string Group, decimal Amount);

/// <summary>The answer to a spend question, when it was fetched (<see cref="AsOf"/>: the cache age is now minus that), and whether the amounts are final.</summary>
public sealed record SpendReport(SpendQuery Query, IReadOnlyList<SpendLine> Lines, string Currency, DateTimeOffset AsOf, bool Estimated)
{
    public decimal Total => Lines.Sum(l => l.Amount);

    /// <summary>Totals per group, largest first.</summary>
    public IReadOnlyList<(string Group, decimal Amount)> ByGroup() =>
        Lines.GroupBy(l => l.Group, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(l => l.Amount))).OrderByDescending(g => g.Item2).ToList();

    /// <summary>Totals per period, oldest first.</summary>
    public IReadOnlyList<(DateOnly Start, decimal Amount)> ByPeriod() =>
        Lines.GroupBy(l => l.Start).Select(g => (g.Key, g.Sum(l => l.Amount))).OrderBy(g => g.Item1).ToList();
}

/// <summary>Forecast spend per month with its 80 % prediction interval.</summary>
public sealed record ForecastMonth(DateOnly Month, decimal Mean, decimal Low, decimal High);

public sealed record SpendForecast(IReadOnlyList<ForecastMonth> Months, string Currency, DateTimeOffset AsOf)
{
    public decimal Total => Months.Sum(m => m.Mean);
}

/// <summary>Where spend comes from: Cost Explorer, or the Sandbox's simulated bill.</summary>
public interface ISpendSource
{
    Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default);

    /// <summary>Forecast of the accounts' spend for [<paramref name="from"/>, <paramref name="to"/>), by month.</summary>
    Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default);

    /// <summary>The tag keys activated as cost-allocation tags (only those can group spend).</summary>
    Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default);
}
