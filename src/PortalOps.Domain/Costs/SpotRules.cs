using System.Globalization;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>How likely Spot capacity is taken back, as AWS's Spot Instance Advisor bands it.</summary>
public enum InterruptionRisk
{
    /// <summary>Under 5 % a month.</summary>
    VeryLow,

    /// <summary>5–10 %.</summary>
    Low,

    /// <summary>10–15 %.</summary>
    Medium,

    /// <summary>15–20 %.</summary>
    High,

    /// <summary>Over 20 %: never recommended.</summary>
    VeryHigh,
}

/// <summary>
/// Spot for stateless instances: an instance tagged <c>portalops:stateless=true</c> (or <c>stateless=true</c>), or a member of
/// an Auto Scaling group (its <c>aws:autoscaling:groupName</c> tag), running on demand, whose type's Spot price over the last
/// 30 days (DescribeSpotPriceHistory) is well under the on-demand price. The interruption risk is estimated from the price
/// history the way Spot capacity behaves: a price close to on-demand and a price that moves a lot both mean capacity is
/// scarce. Pure.
/// </summary>
public static class SpotRules
{
    public const string StatelessTag = "portalops:stateless";
    public const string ShortStatelessTag = "stateless";
    public const string GroupTag = "aws:autoscaling:groupName";
    public const string LifecycleTag = "portalops:lifecycle";

    /// <summary>The least saving (share of the on-demand price) worth a Spot move.</summary>
    public const decimal MinimumSavingShare = 0.2m;

    /// <summary>Why the instance may run on Spot, or null when it keeps state (no tag, no group).</summary>
    public static string? StatelessBecause(Instance instance)
    {
        if (instance.Tags.TryGetValue(GroupTag, out var group) && group.Length > 0)
        {
            return $"member of Auto Scaling group {group}";
        }

        foreach (var key in new[] { StatelessTag, ShortStatelessTag })
        {
            if (instance.Tags.TryGetValue(key, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
            {
                return $"tagged {key}=true";
            }
        }

        return null;
    }

    /// <summary>The risk band from the Spot/on-demand ratio and the price's coefficient of variation over the window.</summary>
    public static InterruptionRisk RiskOf(decimal spotToOnDemand, double variation) =>
        spotToOnDemand <= 0.4m && variation <= 0.05 ? InterruptionRisk.VeryLow
        : spotToOnDemand <= 0.6m && variation <= 0.15 ? InterruptionRisk.Low
        : spotToOnDemand <= 0.7m && variation <= 0.25 ? InterruptionRisk.Medium
        : spotToOnDemand <= 0.8m && variation <= 0.35 ? InterruptionRisk.High
        : InterruptionRisk.VeryHigh;

    public static string Describe(InterruptionRisk risk) => risk switch
    {
        InterruptionRisk.VeryLow => "< 5 %",
        InterruptionRisk.Low => "5–10 %",
        InterruptionRisk.Medium => "10–15 %",
        InterruptionRisk.High => "15–20 %",
        InterruptionRisk.VeryHigh => "> 20 %",
    };

    /// <summary>
    /// The Spot recommendation for one running instance, from the price history of its type in its region (all zones), or null
    /// when it is not stateless, already Spot, not priced, or the saving is small or the risk very high.
    /// </summary>
    public static Recommendation? Evaluate(Instance instance, IReadOnlyList<SpotPrice> history, Func<string, string, PriceQuote?> onDemand)
    {
        if (instance.State != InstanceState.Running || StatelessBecause(instance) is not { } because
            || string.Equals(instance.Tags.GetValueOrDefault(LifecycleTag), "spot", StringComparison.OrdinalIgnoreCase)
            || onDemand(instance.Region, instance.InstanceType) is not { } price || price.PerHour <= 0)
        {
            return null;
        }

        var ofType = history.Where(p => p.InstanceType == instance.InstanceType && p.PricePerHour > 0).ToList();
        if (ofType.Count == 0)
        {
            return null;
        }

        // The instance's own zone when it has prices there, else the cheapest zone (a group can move to it).
        var byZone = ofType.GroupBy(p => p.AvailabilityZone).ToDictionary(g => g.Key, g => g.Select(p => p.PricePerHour).ToList(), StringComparer.Ordinal);
        var zone = byZone.ContainsKey(instance.AvailabilityZone) ? instance.AvailabilityZone : byZone.OrderBy(z => Median(z.Value)).First().Key;
        var prices = byZone[zone];
        var median = Median(prices);
        var peak = prices.Max();
        var ratio = median / price.PerHour;
        var variation = Variation(prices);
        var risk = RiskOf(ratio, variation);
        var saving = decimal.Round((price.PerHour - median) * (decimal)Provisioning.PriceTable.HoursPerMonth, 2);
        if (1 - ratio < MinimumSavingShare || risk == InterruptionRisk.VeryHigh || saving <= 0)
        {
            return null;
        }

        var inGroup = instance.Tags.ContainsKey(GroupTag);
        var confidence = risk <= InterruptionRisk.VeryLow && inGroup ? Confidence.High : risk <= InterruptionRisk.Low ? Confidence.Medium : Confidence.Low;
        return new Recommendation(RecommendationKind.Spot, instance.Ref, instance.Name, instance.Tags, instance.InstanceType, instance.InstanceType, saving, confidence,
        [
            F($"Stateless: {because}"),
            F($"Spot {instance.InstanceType} in {zone}: median {median:0.####} USD/h (peak {peak:0.####}) over {prices.Count} price(s) in 30 days; on demand {price.PerHour:0.####} USD/h ({price.SourceText})"),
            F($"Interruption risk {Describe(risk)} a month (estimated: Spot at {ratio:P0} of on demand, price variation {variation:P0})"),
            F($"{price.PerHour * (decimal)Provisioning.PriceTable.HoursPerMonth:0.00} → {median * (decimal)Provisioning.PriceTable.HoursPerMonth:0.00} USD/month at the median price"),
            inGroup
                ? "How: give the group a mixed instances policy with Spot capacity (the group replaces taken-back instances); PortalOps does not change it for you"
                : "How: relaunch it as a Spot instance (or put it in a group with Spot capacity); it must tolerate a two-minute notice",
        ]);
    }

    private static decimal Median(List<decimal> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double Variation(List<decimal> values)
    {
        var mean = values.Average(v => (double)v);
        if (mean <= 0 || values.Count < 2)
        {
            return 0;
        }

        var variance = values.Sum(v => Math.Pow((double)v - mean, 2)) / values.Count;
        return Math.Sqrt(variance) / mean;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
