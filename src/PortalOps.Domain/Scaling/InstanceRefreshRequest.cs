using System.Globalization;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// How to refresh a group's instances (StartInstanceRefresh's preferences): the share of capacity that stays healthy while instances
/// are replaced, how long a new instance warms up before it counts, and whether instances already on the desired launch template
/// are skipped. <see cref="Check"/> names every bad field; nothing bad is sent.
/// </summary>
public sealed record InstanceRefreshRequest(int MinHealthyPercentage = 90, int? InstanceWarmupSeconds = null, bool SkipMatching = false)
{
    public const string MinHealthyField = nameof(MinHealthyPercentage);
    public const string WarmupField = nameof(InstanceWarmupSeconds);

    public const string MinHealthyParameter = "minHealthy";
    public const string WarmupParameter = "warmup";
    public const string SkipMatchingParameter = "skipMatching";

    /// <summary>The longest warm-up PortalOps sends (a day); AWS itself sets no upper bound.</summary>
    public const int MaxWarmupSeconds = 86_400;

    public IReadOnlyDictionary<string, string> Check()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (MinHealthyPercentage is < 0 or > 100)
        {
            problems[MinHealthyField] = "Minimum healthy is a percentage between 0 and 100.";
        }

        if (InstanceWarmupSeconds is < 0 or > MaxWarmupSeconds)
        {
            problems[WarmupField] = $"Warm-up is between 0 and {MaxWarmupSeconds} seconds (empty: the group's default).";
        }

        return problems;
    }

    public IReadOnlyDictionary<string, string> ToParameters()
    {
        var parameters = new Dictionary<string, string>
        {
            [MinHealthyParameter] = MinHealthyPercentage.ToString(CultureInfo.InvariantCulture),
            [SkipMatchingParameter] = SkipMatching ? "true" : "false",
        };
        if (InstanceWarmupSeconds is { } warmup)
        {
            parameters[WarmupParameter] = warmup.ToString(CultureInfo.InvariantCulture);
        }

        return parameters;
    }

    public static InstanceRefreshRequest? FromParameters(IReadOnlyDictionary<string, string> parameters)
    {
        if (!int.TryParse(parameters.GetValueOrDefault(MinHealthyParameter), NumberStyles.Integer, CultureInfo.InvariantCulture, out var minHealthy))
        {
            return null;
        }

        int? warmup = null;
        if (parameters.GetValueOrDefault(WarmupParameter) is { } w)
        {
            if (!int.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return null;
            }

            warmup = parsed;
        }

        return new InstanceRefreshRequest(minHealthy, warmup, string.Equals(parameters.GetValueOrDefault(SkipMatchingParameter), "true", StringComparison.OrdinalIgnoreCase));
    }

    public override string ToString() =>
        $"min healthy {MinHealthyPercentage}%, warm-up {(InstanceWarmupSeconds is { } w ? $"{w} s" : "group default")}{(SkipMatching ? ", skipping matching instances" : string.Empty)}";
}
