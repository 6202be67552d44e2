using System.Globalization;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>The thresholds of the rightsizing rules.</summary>
public sealed record RightsizingSettings
{
    /// <summary>Days of hourly data the rules look at.</summary>
    public int LookbackDays { get; init; } = 14;

    /// <summary>Below this CPU p95 (%) and <see cref="IdleNetworkMiBPerHour"/> an instance is idle.</summary>
    public double IdleCpuP95 { get; init; } = 5;

    /// <summary>Network (in + out, p95 of the hours) below which an instance counts as idle.</summary>
    public double IdleNetworkMiBPerHour { get; init; } = 5;

    /// <summary>Above this CPU p95 (%) an instance is used well enough and keeps its size.</summary>
    public double UnderusedCpuP95 { get; init; } = 40;

    /// <summary>Spare capacity the target keeps above the observed peak: 0.25 keeps the peak at ≤ 80 % of the target.</summary>
    public double Headroom { get; init; } = 0.25;

    /// <summary>The share of the window's hours that must have data before any instance recommendation is made.</summary>
    public double MinimumCoverage { get; init; } = 0.5;

    /// <summary>The share above which the evidence counts as complete (high confidence).</summary>
    public double CompleteCoverage { get; init; } = 0.9;

    /// <summary>The on-demand prices (the AWS Price List's where read, the bundled table otherwise).</summary>
    public PriceBook Prices { get; init; } = PriceBook.Bundled;
}

/// <summary>
/// The rules over an instance's 14 days of hourly utilization: idle → stop; underused → the cheapest type of the same category
/// and architecture (the same family smaller, or a newer generation) whose capacity still holds the observed peak with headroom;
/// a previous-generation type → its current successor. Pure: the same inputs give the same answer.
/// </summary>
public static class RightsizingRules
{
    private const double MiB = 1024 * 1024;

    public static Recommendation? Evaluate(Instance instance, UtilizationSummary usage, RightsizingSettings settings)
    {
        if (instance.State != InstanceState.Running || usage.Coverage < settings.MinimumCoverage)
        {
            return null;
        }

        var spec = InstanceSpecs.Find(instance.InstanceType);
        var quote = settings.Prices.Quote(instance.Region, instance.InstanceType);
        var price = quote?.Monthly;
        var evidence = Evidence(usage, settings);
        var complete = usage.Coverage >= settings.CompleteCoverage;

        if (usage.CpuP95 < settings.IdleCpuP95 && usage.NetworkP95BytesPerHour < settings.IdleNetworkMiBPerHour * MiB && price is { } idlePrice)
        {
            evidence.Add(F($"Idle: CPU p95 {usage.CpuP95:0.#} % < {settings.IdleCpuP95:0} % and network p95 {usage.NetworkP95BytesPerHour / MiB:0.##} MiB/h < {settings.IdleNetworkMiBPerHour:0} MiB/h"));
            evidence.Add(F($"Stopped, it costs nothing for compute ({instance.InstanceType} {idlePrice:0.00} USD/month); its volumes are still billed"));
            return new Recommendation(RecommendationKind.StopIdle, instance.Ref, instance.Name, instance.Tags, instance.InstanceType, null, idlePrice,
                complete ? Confidence.High : Confidence.Medium, evidence);
        }

        if (spec is null || price is null)
        {
            return null;
        }

        if (usage.CpuP95 <= settings.UnderusedCpuP95 && Smallest(spec, instance.Region, usage, settings) is { } target)
        {
            var targetPrice = settings.Prices.Monthly(instance.Region, target.Type)!.Value;
            var projectedPeak = usage.CpuMax * spec.Vcpus / target.Vcpus;
            evidence.Add(F($"{spec.Type}: {spec.Vcpus} vCPU, {spec.MemoryGiB:0.#} GiB → {target.Type}: {target.Vcpus} vCPU, {target.MemoryGiB:0.#} GiB ({target.Architecture}, same as now)"));
            evidence.Add(F($"Peak CPU {usage.CpuMax:0.#} % would be {projectedPeak:0.#} % of {target.Type}, within {100 / (1 + settings.Headroom):0} % (headroom {settings.Headroom:P0})"));
            var memoryMeasured = usage.MemoryMax is not null;
            if (!memoryMeasured)
            {
                evidence.Add("Memory is not measured (no CloudWatch agent metric): check it before resizing");
            }

            evidence.Add(F($"{price.Value:0.00} → {targetPrice:0.00} USD/month ({quote!.SourceText})"));
            return new Recommendation(RecommendationKind.Rightsize, instance.Ref, instance.Name, instance.Tags,
                spec.Type, target.Type, price.Value - targetPrice,
                complete && memoryMeasured ? Confidence.High : complete ? Confidence.Medium : Confidence.Low, evidence);
        }

        if (Successor(spec, instance.Region, settings.Prices) is { } successor)
        {
            var successorPrice = settings.Prices.Monthly(instance.Region, successor.Type)!.Value;
            evidence.Add(F($"{spec.Family} is a previous generation; {successor.Family} has the same size ({successor.Vcpus} vCPU, {successor.MemoryGiB:0.#} GiB) and architecture"));
            evidence.Add(F($"{price.Value:0.00} → {successorPrice:0.00} USD/month ({quote!.SourceText})"));
            return new Recommendation(RecommendationKind.Modernize, instance.Ref, instance.Name, instance.Tags, spec.Type, successor.Type,
                price.Value - successorPrice, complete ? Confidence.Medium : Confidence.Low, evidence);
        }

        return null;
    }

    /// <summary>
    /// The cheapest current-generation type of the same category and architecture, cheaper than <paramref name="current"/>, that
    /// holds the observed CPU peak, network peak and (when measured) memory peak with headroom; without a memory metric it never
    /// goes below half the memory. Null when none does.
    /// </summary>
    public static InstanceSpec? Smallest(InstanceSpec current, string region, UtilizationSummary usage, RightsizingSettings settings)
    {
        var currentPrice = settings.Prices.Monthly(region, current.Type);
        if (currentPrice is null)
        {
            return null;
        }

        var ceiling = 100 / (1 + settings.Headroom);
        var neededVcpus = current.Vcpus * usage.CpuMax / ceiling;
        var neededMbps = usage.NetworkPeakMbps * (1 + settings.Headroom);
        var neededMemory = usage.MemoryMax is { } memory ? current.MemoryGiB * memory / ceiling : current.MemoryGiB / 2;
        return InstanceSpecs.All
            .Where(c => c.Category == current.Category && c.Architecture == current.Architecture && !c.PreviousGeneration && c.Generation >= current.Generation)
            .Where(c => c.Vcpus >= neededVcpus && c.BaselineMbps >= neededMbps && c.MemoryGiB >= neededMemory)
            .Select(c => (Spec: c, Price: settings.Prices.Monthly(region, c.Type)))
            .Where(c => c.Price is { } p && p < currentPrice.Value)
            .OrderBy(c => c.Price)
            .ThenBy(c => c.Spec.Family == current.Family ? 0 : 1)
            .ThenBy(c => c.Spec.Type, StringComparer.Ordinal)
            .Select(c => c.Spec)
            .FirstOrDefault();
    }

    /// <summary>The same size of the successor family of a previous-generation type, when it is priced and cheaper.</summary>
    public static InstanceSpec? Successor(InstanceSpec current, string region, PriceBook? prices = null)
    {
        prices ??= PriceBook.Bundled;
        if (!current.PreviousGeneration || !InstanceSpecs.Successors.TryGetValue(current.Family, out var family))
        {
            return null;
        }

        var next = InstanceSpecs.Find($"{family}.{current.Size}");
        return next is not null && next.Architecture == current.Architecture && prices.Monthly(region, next.Type) is { } p && prices.Monthly(region, current.Type) is { } now && p < now ? next : null;
    }

    private static List<string> Evidence(UtilizationSummary usage, RightsizingSettings settings) =>
    [
        F($"{settings.LookbackDays} days hourly: {usage.HoursWithData} of {usage.Hours} hours with data ({usage.Coverage:P0})"),
        F($"CPU p95 {usage.CpuP95:0.#} %, max {usage.CpuMax:0.#} %"),
        F($"Network p95 {usage.NetworkP95BytesPerHour / MiB:0.##} MiB/h, peak {usage.NetworkPeakMbps:0.###} Mbit/s"),
        usage.MemoryMax is { } m ? F($"Memory max {m:0.#} %") : "Memory: not published",
    ];

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
