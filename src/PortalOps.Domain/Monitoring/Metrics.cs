using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Monitoring;

/// <summary>The instance metrics PortalOps collects. Each maps to one CloudWatch metric of the AWS/EC2 namespace.</summary>
public enum MetricKind
{
    Cpu,
    NetworkIn,
    NetworkOut,
    DiskRead,
    DiskWrite,
    StatusCheck,
}

/// <summary>How the values of one rule period are combined into one number.</summary>
public enum Statistic
{
    Average,
    Maximum,
    Minimum,
    Sum,
}

/// <summary>What is known about a metric: its CloudWatch name, the statistic collected, its unit and its possible range.</summary>
public sealed record MetricInfo(MetricKind Kind, string CloudWatchName, Statistic Collected, string Unit, string Label, double Min, double? Max)
{
    public static IReadOnlyList<MetricInfo> All { get; } =
    [
        new(MetricKind.Cpu, "CPUUtilization", Statistic.Average, "%", "CPU", 0, 100),
        new(MetricKind.NetworkIn, "NetworkIn", Statistic.Sum, "bytes", "Network in", 0, null),
        new(MetricKind.NetworkOut, "NetworkOut", Statistic.Sum, "bytes", "Network out", 0, null),
        new(MetricKind.DiskRead, "DiskReadBytes", Statistic.Sum, "bytes", "Disk read", 0, null),
        new(MetricKind.DiskWrite, "DiskWriteBytes", Statistic.Sum, "bytes", "Disk write", 0, null),
        new(MetricKind.StatusCheck, "StatusCheckFailed", Statistic.Maximum, "failed", "Status check", 0, 1),
    ];

    public static MetricInfo Of(MetricKind kind) => All.First(m => m.Kind == kind);

    /// <summary>Formats a value in this metric's unit for people.</summary>
    public string Format(double value) => Unit switch
    {
        "%" => $"{value:0.#} %",
        "bytes" => Bytes(value),
        _ => value >= 1 ? "failed" : "ok",
    };

    private static string Bytes(double value) => value switch
    {
        >= 1 << 30 => $"{value / (1 << 30):0.#} GiB",
        >= 1 << 20 => $"{value / (1 << 20):0.#} MiB",
        >= 1 << 10 => $"{value / (1 << 10):0.#} KiB",
        _ => $"{value:0} B",
    };
}

/// <summary>One collected value: the <see cref="MetricInfo.Collected"/> statistic of one collection period that starts at <see cref="At"/>.</summary>
public sealed record MetricPoint(InstanceRef Instance, MetricKind Metric, DateTimeOffset At, double Value);

/// <summary>One series to collect: an instance and a metric.</summary>
public sealed record SeriesKey(InstanceRef Instance, MetricKind Metric);

/// <summary>EC2's two status checks for an instance, as DescribeInstanceStatus reports them.</summary>
public enum CheckStatus
{
    Ok,
    Impaired,
    InsufficientData,
    NotApplicable,
    Initializing,
}

/// <summary>The status of one instance's checks at a moment.</summary>
public sealed record InstanceStatusReport(InstanceRef Instance, CheckStatus System, CheckStatus InstanceCheck, DateTimeOffset At)
{
    public bool Impaired => System == CheckStatus.Impaired || InstanceCheck == CheckStatus.Impaired;
}

/// <summary>The latest known values of an instance, for the fleet health view.</summary>
public sealed record InstanceHealth(
    InstanceRef Instance,
    string Name,
    double? Cpu,
    double? NetworkIn,
    double? NetworkOut,
    bool StatusCheckFailed,
    CheckStatus System,
    CheckStatus InstanceCheck,
    DateTimeOffset? LastPointAt,
    int OpenAlerts = 0)
{
    /// <summary>The instance's tags when it was measured; with its account and region they decide who may see the row.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>What a fetch of metrics did: the points, and how many calls it took (for the efficiency budget).</summary>
public sealed record MetricFetch(IReadOnlyList<MetricPoint> Points, int Calls, IReadOnlyList<string> Errors);

/// <summary>Where metrics come from: CloudWatch, or the Sandbox's simulated series.</summary>
public interface IMetricsSource
{
    /// <summary>Values of every series for each collection period in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    Task<MetricFetch> FetchAsync(IReadOnlyList<SeriesKey> series, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default);

    /// <summary>The status checks of these instances (EC2 DescribeInstanceStatus).</summary>
    Task<IReadOnlyList<InstanceStatusReport>> StatusAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default);
}

/// <summary>Sort order of the fleet health view.</summary>
public enum HealthSort
{
    Cpu,
    NetworkIn,
    NetworkOut,
    Status,
    Name,
}

/// <summary>A page of the fleet health view: the hottest instances first by default.</summary>
public sealed record HealthQuery(HealthSort SortBy = HealthSort.Cpu, bool Descending = true, string? Text = null, int PageIndex = 0, int PageSize = 25)
{
    /// <summary>Only instances this reader may see (<see cref="Actions.Authorizer.ReadScopeOf"/>); null reads all (jobs).</summary>
    public Security.ReadScope? VisibleTo { get; init; }
}

/// <summary>Keeps recent series (for the retention period), the latest health of each instance, and how far collection got.</summary>
public interface IMetricStore
{
    /// <summary>Writes points, replacing any stored value for the same instance, metric and period.</summary>
    Task UpsertAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default);

    /// <summary>Points of some instances and one metric in [from, to), oldest first.</summary>
    Task<IReadOnlyList<MetricPoint>> QueryAsync(IReadOnlyCollection<InstanceRef> instances, MetricKind metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Saves the latest health of each instance (values and status checks).</summary>
    Task SaveHealthAsync(IReadOnlyList<InstanceHealth> health, CancellationToken cancellationToken = default);

    Task<Common.Page<InstanceHealth>> HealthAsync(HealthQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<InstanceRef, InstanceHealth>> HealthOfAsync(IReadOnlyCollection<InstanceRef> instances, CancellationToken cancellationToken = default);

    /// <summary>The end of the last collected period, or null before the first collection.</summary>
    Task<DateTimeOffset?> WatermarkAsync(CancellationToken cancellationToken = default);

    Task SetWatermarkAsync(DateTimeOffset collectedUntil, CancellationToken cancellationToken = default);

    /// <summary>Deletes points older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>Tells open pages that new metrics arrived or alerts changed, so they refresh without a reload (in-process).</summary>
public interface IMonitoringEvents
{
    IDisposable Subscribe(Action onChanged);

    void Publish();
}
