namespace PortalOps.Domain.Scaling;

/// <summary>The three kinds of dynamic scaling policy Auto Scaling offers.</summary>
public enum PolicyKind
{
    /// <summary>Keep a metric at a target value (AWS "TargetTrackingScaling").</summary>
    TargetTracking,

    /// <summary>Adjust by steps as an alarm's metric moves further from its threshold ("StepScaling").</summary>
    Step,

    /// <summary>One adjustment per alarm, then a cooldown ("SimpleScaling").</summary>
    Simple,
}

/// <summary>The metrics a target-tracking policy can follow (AWS's predefined metric types).</summary>
public enum TrackedMetric
{
    /// <summary>ASGAverageCPUUtilization, percent.</summary>
    Cpu,

    /// <summary>ALBRequestCountPerTarget, requests per target per minute; needs the target group as resource label.</summary>
    RequestCountPerTarget,

    /// <summary>ASGAverageNetworkIn, bytes per instance per minute.</summary>
    NetworkIn,

    /// <summary>ASGAverageNetworkOut, bytes per instance per minute.</summary>
    NetworkOut,
}

public enum AdjustmentType
{
    ChangeInCapacity,
    ExactCapacity,
    PercentChangeInCapacity,
}

/// <summary>One step of a step policy: between the bounds (relative to the alarm threshold; null is unbounded), adjust by this much.</summary>
public sealed record StepAdjustment(double? LowerBound, double? UpperBound, int Adjustment);

/// <summary>AWS's names for the kinds and metrics.</summary>
public static class PolicyNames
{
    public static string Of(PolicyKind kind) => kind switch
    {
        PolicyKind.TargetTracking => "TargetTrackingScaling",
        PolicyKind.Step => "StepScaling",
        PolicyKind.Simple => "SimpleScaling",
    };

    public static PolicyKind ParseKind(string? value) => value switch
    {
        "TargetTrackingScaling" => PolicyKind.TargetTracking,
        "StepScaling" => PolicyKind.Step,
        _ => PolicyKind.Simple,
    };

    public static string Of(TrackedMetric metric) => metric switch
    {
        TrackedMetric.Cpu => "ASGAverageCPUUtilization",
        TrackedMetric.RequestCountPerTarget => "ALBRequestCountPerTarget",
        TrackedMetric.NetworkIn => "ASGAverageNetworkIn",
        TrackedMetric.NetworkOut => "ASGAverageNetworkOut",
    };

    public static TrackedMetric? ParseMetric(string? value) => value switch
    {
        "ASGAverageCPUUtilization" => TrackedMetric.Cpu,
        "ALBRequestCountPerTarget" => TrackedMetric.RequestCountPerTarget,
        "ASGAverageNetworkIn" => TrackedMetric.NetworkIn,
        "ASGAverageNetworkOut" => TrackedMetric.NetworkOut,
        _ => null,
    };
}
