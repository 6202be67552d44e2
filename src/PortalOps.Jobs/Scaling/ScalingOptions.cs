using System.ComponentModel.DataAnnotations;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Scaling;

/// <summary>Auto Scaling settings (section <c>Scaling</c>).</summary>
public sealed class ScalingOptions
{
    public const string Section = "Scaling";

    /// <summary>Raising a group's max above this needs approval.</summary>
    [Range(1, 10_000)]
    public int ApproveMaxAbove { get; set; } = 20;

    /// <summary>Setting a group's desired capacity to 0 (emptying it) needs approval.</summary>
    public bool ApproveEmptying { get; set; } = true;

    /// <summary>Starting an instance refresh (a rolling replacement of a group's instances) needs approval.</summary>
    public bool ApproveInstanceRefresh { get; set; } = true;

    /// <summary>Minutes between capacity samples (the history job's schedule and the chart's resolution).</summary>
    [Range(1, 60)]
    public int HistoryIntervalMinutes { get; set; } = 5;

    /// <summary>Days of capacity history kept.</summary>
    [Range(1, 400)]
    public int HistoryDays { get; set; } = 14;

    /// <summary>In the Sandbox, fill the last day of history at start so the chart shows something at once.</summary>
    public bool SeedSandbox { get; set; } = true;

    public ScalingApprovalGuard ToGuard() => new(ApproveMaxAbove, ApproveEmptying, ApproveInstanceRefresh);
}
