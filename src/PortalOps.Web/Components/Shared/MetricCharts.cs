using MudBlazor;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Components.Shared;

public enum MetricRange
{
    Hour,
    Day,
    Week,
}

/// <summary>One chart: a title, the latest value, and the series MudBlazor draws (empty when there is no data).</summary>
public sealed record MetricChart(MetricKind Metric, string Title, string Latest, List<ChartSeries<double>> Series, TimeSeriesChartOptions Options);

/// <summary>Turns stored points into time-series charts; a week is drawn in hourly averages so a chart stays light.</summary>
public static class MetricCharts
{
    public static IReadOnlyList<MetricKind> Shown { get; } = [MetricKind.Cpu, MetricKind.NetworkIn, MetricKind.NetworkOut, MetricKind.StatusCheck];

    public static string Label(MetricRange range) => range switch
    {
        MetricRange.Hour => "1 h",
        MetricRange.Day => "24 h",
        MetricRange.Week => "7 d",
    };

    public static TimeSpan Span(MetricRange range) => range switch
    {
        MetricRange.Hour => TimeSpan.FromHours(1),
        MetricRange.Day => TimeSpan.FromHours(24),
        MetricRange.Week => TimeSpan.FromDays(7),
    };

    /// <summary>Averages points into buckets of <paramref name="step"/> (no-op when the step is not longer than the points' spacing).</summary>
    public static IReadOnlyList<MetricPoint> Downsample(IReadOnlyList<MetricPoint> points, TimeSpan step) =>
        points.GroupBy(p => RuleEvaluator.Floor(p.At, step)).OrderBy(g => g.Key).Select(g => g.First() with { At = g.Key, Value = g.Average(p => p.Value) }).ToList();

    /// <summary>About four labelled lines on the vertical axis, on round numbers, whatever the unit.</summary>
    public static int TickSpacing(MetricInfo info, IReadOnlyList<MetricPoint> points)
    {
        if (info.Max is { } max && max <= 100)
        {
            return max >= 100 ? 25 : 1;
        }

        var top = points.Count == 0 ? 1 : points.Max(p => p.Value);
        var raw = Math.Max(1, top / 4);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        return (int)Math.Min(int.MaxValue, Math.Ceiling(raw / magnitude) * magnitude);
    }

    public static MetricChart Build(MetricKind metric, IReadOnlyList<MetricPoint> points, MetricRange range)
    {
        var info = MetricInfo.Of(metric);
        var shown = range == MetricRange.Week ? Downsample(points, TimeSpan.FromHours(1)) : points;
        var options = new TimeSeriesChartOptions
        {
            TimeLabelFormat = range == MetricRange.Week ? "ddd HH:mm" : "HH:mm",
            TimeLabelSpacing = range switch { MetricRange.Hour => TimeSpan.FromMinutes(10), MetricRange.Day => TimeSpan.FromHours(4), MetricRange.Week => TimeSpan.FromDays(1) },
            TooltipTimeLabelFormat = "yyyy-MM-dd HH:mm",
            ShowLegend = false,
            YAxisTicks = TickSpacing(info, shown),
            YAxisToStringFunc = v => info.Format(v),
            LineStrokeWidth = 2,
        };
        var series = shown.Count == 0
            ? new List<ChartSeries<double>>()
            : [new ChartSeries<double> { Name = info.Label, Data = new ChartData<double>(shown.Select(p => (p.At.UtcDateTime, p.Value)).ToList()) }];
        var latest = points.Count == 0 ? "no data" : info.Format(points[^1].Value);
        return new MetricChart(metric, info.Label, latest, series, options);
    }
}
