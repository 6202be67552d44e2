using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Approvals;
using PortalOps.Jobs.Telegram.Outbox;

namespace PortalOps.Jobs.Observability;

/// <summary>
/// The portal's own instruments, on the meter <see cref="MeterName"/> and the activity source <see cref="SourceName"/>: job
/// durations and failures, the Telegram outbox's depth and 429s, and the approvals waiting for a decision. They cost nothing
/// until an exporter listens (<c>Telemetry</c> settings in the host).
/// </summary>
public sealed class PortalMetrics : IDisposable
{
    public const string MeterName = "PortalOps";
    public const string SourceName = "PortalOps";

    /// <summary>Spans of the portal's own work (background jobs), under the HTTP and database spans of the instrumentations.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    // The pending count is read from the database at most this often, however often the metrics are scraped.
    private static readonly TimeSpan PendingCacheFor = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly IServiceProvider _services;
    private readonly Lock _pendingGate = new();
    private long _pendingReadAt = long.MinValue;
    private int? _pending;

    public PortalMetrics(IServiceProvider services, IMeterFactory? meterFactory = null)
    {
        _services = services;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        JobDuration = _meter.CreateHistogram<double>(
            "portalops.hangfire.job.duration", "s", "How long background jobs ran, by job and outcome (succeeded or failed).");
        JobFailures = _meter.CreateCounter<long>(
            "portalops.hangfire.job.failures", "{job}", "Background job runs that ended with an error, by job.");
        _meter.CreateObservableGauge(
            "portalops.telegram.outbox.depth", () => Outbox?.Pending ?? 0, "{message}", "Telegram messages queued or in flight on this node.");
        _meter.CreateObservableCounter(
            "portalops.telegram.rate_limited", () => Outbox?.Throttled ?? 0, "{response}", "429 (Too Many Requests) answers from Telegram on this node.");
        _meter.CreateObservableGauge(
            "portalops.approvals.pending", ReadPending, "{request}", "Approval requests waiting for a decision (the whole portal, from the database).");
    }

    public Histogram<double> JobDuration { get; }

    public Counter<long> JobFailures { get; }

    private TelegramOutbox? Outbox => _services.GetService<TelegramOutbox>();

    /// <summary>The last count read, refreshed when older than a few seconds; nothing is reported until the database has answered once.</summary>
    private IEnumerable<Measurement<int>> ReadPending()
    {
        lock (_pendingGate)
        {
            if (Stopwatch.GetElapsedTime(_pendingReadAt) > PendingCacheFor || _pendingReadAt == long.MinValue)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    var store = _services.GetRequiredService<IApprovalStore>();
                    _pending = store.CountPendingAsync(timeout.Token).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The database is unreachable: keep the last figure (the readiness check reports the outage).
                }

                _pendingReadAt = Stopwatch.GetTimestamp();
            }

            return _pending is { } pending ? [new Measurement<int>(pending)] : [];
        }
    }

    public void Dispose() => _meter.Dispose();
}
