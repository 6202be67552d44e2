using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Hourly utilization of one instance over the look-back window, one slot per hour (NaN where CloudWatch had no value):
/// CPU average and maximum (%), network in and out (bytes in the hour), and memory (%) where the CloudWatch agent publishes it.
/// </summary>
public sealed class InstanceUtilization(InstanceRef instance, int hours)
{
    public InstanceRef Instance { get; } = instance;

    public double[] CpuAverage { get; } = Filled(hours);

    public double[] CpuMaximum { get; } = Filled(hours);

    public double[] NetworkIn { get; } = Filled(hours);

    public double[] NetworkOut { get; } = Filled(hours);

    /// <summary>Null when no memory metric is published for the instance.</summary>
    public double[]? Memory { get; set; }

    public int Hours => CpuAverage.Length;

    private static double[] Filled(int hours)
    {
        var values = new double[hours];
        Array.Fill(values, double.NaN);
        return values;
    }
}

/// <summary>What a window of utilization comes to: the figures the rules decide on and the evidence shows.</summary>
public sealed record UtilizationSummary(int Hours, int HoursWithData, double CpuP95, double CpuMax, double NetworkP95BytesPerHour, double NetworkPeakBytesPerHour, double? MemoryMax)
{
    /// <summary>The share of the window's hours that had a CPU value.</summary>
    public double Coverage => Hours == 0 ? 0 : HoursWithData / (double)Hours;

    /// <summary>The busiest hour's network traffic (in + out) as an average rate in Mbit/s.</summary>
    public double NetworkPeakMbps => NetworkPeakBytesPerHour * 8 / 3600 / 1_000_000;

    public static UtilizationSummary Of(InstanceUtilization u)
    {
        var cpu = Present(u.CpuAverage);
        var max = Present(u.CpuMaximum);
        var network = new List<double>(u.Hours);
        for (var h = 0; h < u.Hours; h++)
        {
            var inBytes = u.NetworkIn[h];
            var outBytes = u.NetworkOut[h];
            if (!double.IsNaN(inBytes) || !double.IsNaN(outBytes))
            {
                network.Add((double.IsNaN(inBytes) ? 0 : inBytes) + (double.IsNaN(outBytes) ? 0 : outBytes));
            }
        }

        var memory = u.Memory is null ? null : Present(u.Memory);
        return new UtilizationSummary(
            u.Hours,
            cpu.Count,
            Percentile(cpu, 0.95),
            Math.Max(cpu.Count == 0 ? 0 : cpu.Max(), max.Count == 0 ? 0 : max.Max()),
            Percentile(network, 0.95),
            network.Count == 0 ? 0 : network.Max(),
            memory is { Count: > 0 } ? memory.Max() : null);
    }

    /// <summary>Nearest-rank percentile (0 for no values).</summary>
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(p * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }

    private static List<double> Present(double[] values)
    {
        var list = new List<double>(values.Length);
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                list.Add(v);
            }
        }

        return list;
    }
}

/// <summary>What a fetch of utilization did: the series, and how many calls it took (for the efficiency budget).</summary>
public sealed record UtilizationFetch(IReadOnlyDictionary<InstanceRef, InstanceUtilization> Series, int Calls, IReadOnlyList<string> Errors);

/// <summary>Where hourly utilization comes from: CloudWatch GetMetricData, or the Sandbox's simulated series.</summary>
public interface IUtilizationSource
{
    /// <summary>Hourly values of every instance for [<paramref name="from"/>, <paramref name="to"/>), both on the hour.</summary>
    Task<UtilizationFetch> FetchAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
}

/// <summary>How GetMetricData calls are cut: at most 500 queries and at most 100,800 data points each.</summary>
public static class MetricDataLimits
{
    public const int MaxQueriesPerCall = 500;
    public const int MaxDataPointsPerCall = 100_800;

    /// <summary>Queries per call for series of <paramref name="pointsPerSeries"/> points: the most that keeps both limits.</summary>
    public static int QueriesPerCall(int pointsPerSeries) =>
        Math.Clamp(MaxDataPointsPerCall / Math.Max(1, pointsPerSeries), 1, MaxQueriesPerCall);

    /// <summary>The fewest calls for <paramref name="series"/> series of <paramref name="pointsPerSeries"/> points.</summary>
    public static int MinimumCalls(int series, int pointsPerSeries) =>
        series == 0 ? 0 : (int)Math.Ceiling(series / (double)QueriesPerCall(pointsPerSeries));
}
