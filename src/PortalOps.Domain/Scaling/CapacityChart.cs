using System.Globalization;

namespace PortalOps.Domain.Scaling;

/// <summary>Where a point of the group page's capacity chart comes from.</summary>
public enum CapacitySource
{
    /// <summary>CloudWatch's Auto Scaling group metrics (GroupDesiredCapacity, GroupInServiceInstances).</summary>
    CloudWatch,

    /// <summary>The portal's own capacity history (<see cref="ICapacityHistory"/>).</summary>
    History,
}

/// <summary>
/// A group's desired and in-service capacity at one moment. A CloudWatch point is the average over the period that starts at
/// <see cref="At"/>; either value may be missing when only one of the two metrics is collected.
/// </summary>
public sealed record CapacityPoint(DateTimeOffset At, double? Desired, double? InService, CapacitySource Source);

/// <summary>What one read of a group's CloudWatch group metrics returned: points oldest first, the period each covers, or the failure.</summary>
public sealed record GroupMetricsFetch(IReadOnlyList<CapacityPoint> Points, TimeSpan Period, int Calls, string? Error = null)
{
    public static GroupMetricsFetch Failed(TimeSpan period, int calls, string error) => new([], period, calls, error);
}

/// <summary>
/// CloudWatch's Auto Scaling group metrics (namespace <c>AWS/AutoScaling</c>, dimension <c>AutoScalingGroupName</c>):
/// GroupDesiredCapacity and GroupInServiceInstances. AWS publishes them only while metrics collection is enabled on the group
/// (EnableMetricsCollection); otherwise the read returns no points. Implemented over CloudWatch and by the Sandbox.
/// </summary>
public interface IGroupCapacityMetrics
{
    /// <summary>
    /// Both metrics of the group for [<paramref name="from"/>, <paramref name="to"/>) at <paramref name="period"/>, in one
    /// GetMetricData call with two queries. A failure is returned in <see cref="GroupMetricsFetch.Error"/>, not thrown.
    /// </summary>
    Task<GroupMetricsFetch> CapacityAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default);
}

/// <summary>
/// The group page's capacity chart: CloudWatch's points wherever CloudWatch covers the time (a point covers its period), the
/// stored history for the rest; with the notice the page shows when CloudWatch had nothing or could not be read.
/// </summary>
public sealed record CapacityChart(IReadOnlyList<CapacityPoint> Points, string? Notice)
{
    public const string NotEnabledNotice =
        "CloudWatch group metrics are not enabled for this group (no GroupDesiredCapacity or GroupInServiceInstances data); " +
        "the chart shows the portal's stored history. Enable metrics collection on the group to chart it from CloudWatch.";

    /// <summary>At most this many points per series over the window: 24 hours at 5 minutes.</summary>
    public const int MaxPoints = 288;

    public bool HasCloudWatch => Points.Any(p => p.Source == CapacitySource.CloudWatch);

    public bool HasHistory => Points.Any(p => p.Source == CapacitySource.History);

    /// <summary>Which source the chart shows, in words.</summary>
    public string SourceText => (HasCloudWatch, HasHistory) switch
    {
        (true, true) => $"Source: CloudWatch group metrics from {Points.First(p => p.Source == CapacitySource.CloudWatch).At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC, the portal's stored history where CloudWatch has no data.",
        (true, false) => "Source: CloudWatch group metrics (GroupDesiredCapacity, GroupInServiceInstances).",
        (false, true) => "Source: the portal's stored history.",
        _ => "No capacity data for this period yet.",
    };

    /// <summary>
    /// The CloudWatch period for a chart over <paramref name="window"/>: whole minutes (group metrics are published every minute),
    /// at least one, and no more than <see cref="MaxPoints"/> points — 5 minutes for a day.
    /// </summary>
    public static TimeSpan PeriodFor(TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The chart's window must be positive.");
        }

        var minutes = (int)Math.Ceiling(window.TotalMinutes / MaxPoints);
        return TimeSpan.FromMinutes(Math.Max(1, minutes));
    }

    /// <summary>
    /// Merges the stored history with CloudWatch's points: a stored sample is dropped when a CloudWatch point covers its moment
    /// (At ≤ moment &lt; At + period); every CloudWatch point is kept. No CloudWatch points (or a failed read) leaves the history
    /// with a notice saying why.
    /// </summary>
    public static CapacityChart Merge(IReadOnlyList<CapacitySample> history, GroupMetricsFetch? cloudWatch)
    {
        var stored = history
            .OrderBy(s => s.At)
            .Select(s => new CapacityPoint(s.At, s.DesiredCapacity, s.InService, CapacitySource.History))
            .ToList();
        if (cloudWatch is null)
        {
            return new CapacityChart(stored, null);
        }

        if (cloudWatch.Error is { } error)
        {
            return new CapacityChart(stored, $"CloudWatch group metrics could not be read ({error}); the chart shows the portal's stored history.");
        }

        var points = cloudWatch.Points
            .Where(p => p.Desired is not null || p.InService is not null)
            .Select(p => p with { Source = CapacitySource.CloudWatch })
            .OrderBy(p => p.At)
            .ToList();
        if (points.Count == 0)
        {
            return new CapacityChart(stored, NotEnabledNotice);
        }

        var merged = new List<CapacityPoint>(points.Count + stored.Count);
        merged.AddRange(points);
        var next = 0;
        foreach (var sample in stored)
        {
            // The last CloudWatch point at or before the sample is the only one that can cover it (points are sorted).
            while (next + 1 < points.Count && points[next + 1].At <= sample.At)
            {
                next++;
            }

            var candidate = points[next];
            var covered = candidate.At <= sample.At && sample.At < candidate.At + cloudWatch.Period;
            if (!covered)
            {
                merged.Add(sample);
            }
        }

        return new CapacityChart(merged.OrderBy(p => p.At).ThenBy(p => p.Source).ToList(), null);
    }
}
