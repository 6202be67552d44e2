namespace PortalOps.Domain.Costs;

/// <summary>How unusual a day's spend must be before it is called an anomaly.</summary>
public sealed record AnomalySettings
{
    /// <summary>How many earlier same weekdays make the typical range.</summary>
    public int Weeks { get; init; } = 6;

    /// <summary>Fewer earlier same weekdays with spend than this: the day is not judged.</summary>
    public int MinimumWeeks { get; init; } = 3;

    /// <summary>The range's top: the mean plus this many standard deviations ...</summary>
    public decimal Sigmas { get; init; } = 3m;

    /// <summary>... and at least this fraction above the mean (a very steady bill would otherwise alert on small moves) ...</summary>
    public decimal MinimumRise { get; init; } = 0.2m;

    /// <summary>... and at least this many USD above the mean.</summary>
    public decimal MinimumAmount { get; init; } = 10m;
}

/// <summary>One service's part in an anomalous day: its spend and its typical spend on the same weekday.</summary>
public sealed record AnomalyDriver(string Service, decimal Amount, decimal Typical)
{
    public decimal Excess => Amount - Typical;
}

/// <summary>A day whose spend lies above the same weekday's typical range, with the services that moved most.</summary>
public sealed record SpendAnomaly(string Account, DateOnly Day, decimal Amount, decimal Typical, decimal Upper, int WeeksCompared, IReadOnlyList<AnomalyDriver> Drivers)
{
    public string AlertKey => $"anomaly|{Account}|{Day:yyyy-MM-dd}";

    public string Describe() =>
        $"Spend of {Account} on {Day:ddd yyyy-MM-dd} was {BudgetCrossing.Money(Amount)}, above the usual range for a {Day.DayOfWeek} (typical {BudgetCrossing.Money(Typical)}, up to {BudgetCrossing.Money(Upper)} over {WeeksCompared} week(s))"
        + (Drivers.Count == 0 ? "." : "; most of it: " + string.Join(", ", Drivers.Select(d => $"{d.Service} +{BudgetCrossing.Money(d.Excess)}")) + ".");
}

/// <summary>
/// Daily spend anomalies: a day is compared with the same weekday in earlier weeks (a Monday with Mondays, so weekly patterns are not
/// anomalies). Its spend is anomalous above mean + max(σ × standard deviation, a minimum rise), and at least a minimum amount above the mean.
/// </summary>
public static class SpendAnomalies
{
    /// <summary>The daily question that answers <see cref="Judge"/> for <paramref name="day"/>: the weeks before it and the day itself, by service.</summary>
    public static SpendQuery Question(string account, DateOnly day, AnomalySettings settings) =>
        new(day.AddDays(-7 * settings.Weeks), day.AddDays(1), SpendGranularity.Daily, SpendDimension.Service, [account]);

    /// <summary>Judges <paramref name="day"/> from daily lines by service; null when it is within range or there is too little history.</summary>
    public static SpendAnomaly? Judge(string account, IReadOnlyList<SpendLine> daily, DateOnly day, AnomalySettings settings)
    {
        var byDay = daily.GroupBy(l => l.Start).ToDictionary(g => g.Key, g => g.ToList());
        if (!byDay.TryGetValue(day, out var today))
        {
            return null;
        }

        var earlier = Enumerable.Range(1, settings.Weeks).Select(w => day.AddDays(-7 * w)).Where(byDay.ContainsKey).ToList();
        if (earlier.Count < settings.MinimumWeeks)
        {
            return null;
        }

        var totals = earlier.Select(d => byDay[d].Sum(l => l.Amount)).ToList();
        var mean = totals.Average();
        var deviation = (decimal)Math.Sqrt(totals.Average(t => (double)((t - mean) * (t - mean))));
        var upper = mean + Math.Max(settings.Sigmas * deviation, mean * settings.MinimumRise);
        var amount = today.Sum(l => l.Amount);
        if (amount <= upper || amount - mean < settings.MinimumAmount)
        {
            return null;
        }

        var drivers = today.GroupBy(l => l.Group, StringComparer.Ordinal)
            .Select(g => new AnomalyDriver(g.Key, g.Sum(l => l.Amount), earlier.Sum(d => byDay[d].Where(l => l.Group == g.Key).Sum(l => l.Amount)) / earlier.Count))
            .Where(d => d.Excess > 0)
            .OrderByDescending(d => d.Excess)
            .Take(3)
            .ToList();
        return new SpendAnomaly(account, day, decimal.Round(amount, 2), decimal.Round(mean, 2), decimal.Round(upper, 2), earlier.Count,
            drivers.Select(d => d with { Amount = decimal.Round(d.Amount, 2), Typical = decimal.Round(d.Typical, 2) }).ToList());
    }
}
