namespace PortalOps.Domain.Scaling;

/// <summary>Auto Scaling's group metrics (EnableMetricsCollection), as CloudWatch names them in namespace AWS/AutoScaling.</summary>
public static class GroupMetrics
{
    /// <summary>The granularity EnableMetricsCollection takes; AWS offers only one.</summary>
    public const string Granularity = "1Minute";

    /// <summary>The two the group page's capacity chart reads.</summary>
    public static IReadOnlyList<string> Capacity { get; } = ["GroupDesiredCapacity", "GroupInServiceInstances"];

    /// <summary>What PortalOps enables: the capacity pair and the counts around it.</summary>
    public static IReadOnlyList<string> Enabled { get; } =
        ["GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances"];
}
