using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// A dynamic scaling policy, as read from a group or as a person edits it. Which fields count depends on <see cref="Kind"/>:
/// target tracking uses the metric and target value; step uses the adjustment type and steps; simple uses the adjustment type,
/// one adjustment and a cooldown. <see cref="Check"/> names every bad field before anything is sent.
/// </summary>
public sealed partial record ScalingPolicy(string Name, PolicyKind Kind)
{
    public const string NameField = nameof(Name);
    public const string TargetValueField = nameof(TargetValue);
    public const string ResourceLabelField = nameof(ResourceLabel);
    public const string StepsField = nameof(Steps);
    public const string AdjustmentField = nameof(Adjustment);
    public const string CooldownField = nameof(Cooldown);
    public const string WarmupField = nameof(WarmupSeconds);

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public TrackedMetric Metric { get; init; } = TrackedMetric.Cpu;

    public double TargetValue { get; init; }

    /// <summary>For request count per target: "app/&lt;lb&gt;/&lt;id&gt;/targetgroup/&lt;tg&gt;/&lt;id&gt;".</summary>
    public string? ResourceLabel { get; init; }

    public bool DisableScaleIn { get; init; }

    public AdjustmentType AdjustmentType { get; init; } = AdjustmentType.ChangeInCapacity;

    public IReadOnlyList<StepAdjustment> Steps { get; init; } = [];

    /// <summary>Simple policies: the one adjustment.</summary>
    public int Adjustment { get; init; }

    /// <summary>Simple policies: seconds before another simple activity may start.</summary>
    public int? Cooldown { get; init; }

    /// <summary>Seconds a new instance needs before its metrics count (target tracking and step).</summary>
    public int? WarmupSeconds { get; init; }

    /// <summary>Read from AWS: the policy's ARN and the CloudWatch alarms it owns or is triggered by.</summary>
    public string? Arn { get; init; }

    public IReadOnlyList<string> Alarms { get; init; } = [];

    /// <summary>Problems per field (empty when the policy may be saved).</summary>
    public IReadOnlyDictionary<string, string> Check()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Name) || !PolicyName().IsMatch(Name))
        {
            problems[NameField] = "Name the policy: 1–255 letters, digits, spaces and - _ . (no ':').";
        }

        if (WarmupSeconds is < 0 or > 86_400)
        {
            problems[WarmupField] = "The warm-up is between 0 and 86400 seconds.";
        }

        switch (Kind)
        {
            case PolicyKind.TargetTracking:
                var (low, high, unit) = TargetRange(Metric);
                if (double.IsNaN(TargetValue) || TargetValue < low || TargetValue > high)
                {
                    problems[TargetValueField] = $"The target for {Metric} is between {low:0.##} and {high:0.##}{unit}.";
                }

                if (Metric == TrackedMetric.RequestCountPerTarget && (string.IsNullOrWhiteSpace(ResourceLabel) || !ResourceLabelPattern().IsMatch(ResourceLabel)))
                {
                    problems[ResourceLabelField] = "Request count per target needs the target group: app/<load-balancer>/<id>/targetgroup/<target-group>/<id>.";
                }

                break;
            case PolicyKind.Step:
                if (StepProblem() is { } step)
                {
                    problems[StepsField] = step;
                }

                break;
            case PolicyKind.Simple:
                if (AdjustmentProblem(Adjustment) is { } adjustment)
                {
                    problems[AdjustmentField] = adjustment;
                }

                if (Cooldown is < 0 or > 86_400)
                {
                    problems[CooldownField] = "The cooldown is between 0 and 86400 seconds.";
                }

                break;
        }

        return problems;
    }

    /// <summary>The accepted target values for a metric: CPU in percent, request counts and bytes as positive numbers.</summary>
    public static (double Low, double High, string Unit) TargetRange(TrackedMetric metric) => metric switch
    {
        TrackedMetric.Cpu => (1, 100, " %"),
        TrackedMetric.RequestCountPerTarget => (1, 1_000_000, " requests per target per minute"),
        TrackedMetric.NetworkIn or TrackedMetric.NetworkOut => (1, 100_000_000_000, " bytes"),
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ScalingPolicy? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ScalingPolicy>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string Describe() => Kind switch
    {
        PolicyKind.TargetTracking => $"{Name}: keep {Metric} at {TargetValue:0.##}{(DisableScaleIn ? " (no scale-in)" : string.Empty)}",
        PolicyKind.Step => $"{Name}: {Steps.Count} step(s), {AdjustmentType}",
        PolicyKind.Simple => $"{Name}: {Adjustment:+0;-0} ({AdjustmentType}), cooldown {Cooldown ?? 300}s",
    };

    private string? AdjustmentProblem(int value) => AdjustmentType switch
    {
        AdjustmentType.ExactCapacity when value < 0 => "Exact capacity is 0 or more.",
        AdjustmentType.PercentChangeInCapacity when value is < -100 or > 1000 or 0 => "A percent change is between -100 and 1000, not 0.",
        AdjustmentType.ChangeInCapacity when value == 0 => "Adjust by at least one instance, up (+) or down (-).",
        _ => null,
    };

    private string? StepProblem()
    {
        if (Steps.Count == 0)
        {
            return "Add at least one step.";
        }

        if (Steps.Count > 20)
        {
            return "At most 20 steps.";
        }

        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            if (s.LowerBound is null && s.UpperBound is null)
            {
                return $"Step {i + 1}: give a lower or an upper bound.";
            }

            if (s.LowerBound is { } l && s.UpperBound is { } u && l >= u)
            {
                return $"Step {i + 1}: the lower bound must be below the upper bound.";
            }

            if (AdjustmentProblem(s.Adjustment) is { } a)
            {
                return $"Step {i + 1}: {a}";
            }
        }

        var ordered = Steps.OrderBy(s => s.LowerBound ?? double.NegativeInfinity).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            var before = ordered[i - 1].UpperBound ?? double.PositiveInfinity;
            var from = ordered[i].LowerBound ?? double.NegativeInfinity;
            if (before > from)
            {
                return "Steps overlap: each step's lower bound must be at or above the previous step's upper bound.";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[\w\-. ]{1,255}$")]
    private static partial Regex PolicyName();

    [GeneratedRegex(@"^app/[\w\-]+/[0-9a-f]+/targetgroup/[\w\-]+/[0-9a-f]+$")]
    private static partial Regex ResourceLabelPattern();
}
