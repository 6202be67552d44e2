using System.Collections.Concurrent;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox account's metrics: realistic series computed from the instance and the time, so every node and every restart
/// agrees. A daily pattern (busy afternoons, quiet nights and weekends), noise, an occasional hour-long CPU spike, disk metrics
/// only for instances with a data volume (as EC2 reports them only for instance-store disks), and one instance whose status check
/// fails for half an hour every four hours.
/// </summary>
public sealed class SandboxMetrics(IInventory inventory, TimeProvider clock) : IMetricsSource
{
    public const int QueriesPerCall = 500;

    public async Task<MetricFetch> FetchAsync(IReadOnlyList<SeriesKey> series, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
    {
        var points = new List<MetricPoint>();
        var fleet = (await Fleet.AllAsync(inventory, cancellationToken)).ToDictionary(i => i.Ref);
        var failing = FailingInstance(fleet.Values);
        var start = RuleEvaluator.Floor(from, period);
        foreach (var key in series)
        {
            if (!fleet.TryGetValue(key.Instance, out var instance) || (key.Metric is MetricKind.DiskRead or MetricKind.DiskWrite && instance.Volumes.Count < 2))
            {
                continue;
            }

            for (var at = start; at < to; at += period)
            {
                points.Add(new MetricPoint(key.Instance, key.Metric, at, Value(instance, key.Metric, at, period, key.Instance == failing)));
            }
        }

        return new MetricFetch(points, (int)Math.Ceiling(series.Count / (double)QueriesPerCall), []);
    }

    public async Task<IReadOnlyList<InstanceStatusReport>> StatusAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var failing = FailingInstance(await Fleet.AllAsync(inventory, cancellationToken));
        return instances.Select(i => i == failing && IsFailingAt(now)
            ? new InstanceStatusReport(i, CheckStatus.Ok, CheckStatus.Impaired, now)
            : new InstanceStatusReport(i, CheckStatus.Ok, CheckStatus.Ok, now)).ToList();
    }

    /// <summary>The running instance whose status check fails from time to time: the first running one by id.</summary>
    public static InstanceRef? FailingInstance(IEnumerable<Instance> fleet) =>
        fleet.Where(i => i.State == InstanceState.Running).OrderBy(i => i.InstanceId, StringComparer.Ordinal).FirstOrDefault()?.Ref;

    /// <summary>Half an hour in every four hours: 00:00–00:30, 04:00–04:30 … UTC.</summary>
    public static bool IsFailingAt(DateTimeOffset at) => at.UtcDateTime.Hour % 4 == 0 && at.UtcDateTime.Minute < 30;

    public static double Value(Instance instance, MetricKind metric, DateTimeOffset at, TimeSpan period, bool failing)
    {
        var seed = Hash(instance.InstanceId);
        var baseLoad = 8 + (seed % 40);
        var local = at.UtcDateTime;
        var hour = local.Hour + (local.Minute / 60.0);
        var weekend = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.6 : 1.0;
        var daily = Math.Max(0, Math.Sin((hour - 8) / 24 * 2 * Math.PI));
        var noise = (Unit(Hash($"{instance.InstanceId}|{metric}|{at.UtcTicks}")) - 0.5) * 8;
        var spike = Unit(Hash($"{instance.InstanceId}|spike|{at.UtcTicks / TimeSpan.TicksPerHour}")) < 0.01;
        var load = Math.Clamp((baseLoad + (35 * daily * weekend) + noise) * (spike ? 2.5 : 1), 0.5, 100);
        if (spike)
        {
            load = Math.Max(load, 92 + (noise / 2));
        }

        // Cost profiles, so the cost page has something to say: batch jobs outside prod sit idle, caches and workers are oversized.
        var profile = ProfileOf(instance);
        var traffic = 1.0;
        if (profile == LoadProfile.Idle)
        {
            load = 0.6 + Unit(Hash($"{instance.InstanceId}|idle|{at.UtcTicks}"));
            traffic = 0.0005;
        }
        else if (profile == LoadProfile.Oversized)
        {
            load = 3 + (seed % 5) + (6 * daily * weekend) + (noise / 4);
        }

        var minutes = period.TotalMinutes * traffic;
        return metric switch
        {
            MetricKind.Cpu => Math.Round(Math.Clamp(load, 0, 100), 2),
            MetricKind.NetworkIn => Math.Round(load * 350_000 * minutes * (1 + (seed % 5))),
            MetricKind.NetworkOut => Math.Round(load * 210_000 * minutes * (1 + (seed % 3))),
            MetricKind.DiskRead => Math.Round(load * 90_000 * minutes),
            MetricKind.DiskWrite => Math.Round(load * 60_000 * minutes),
            MetricKind.StatusCheck => failing && IsFailingAt(at) ? 1 : 0,
        };
    }

    /// <summary>How an instance's load looks: the daily pattern, idle, or a steady low load on more than it needs.</summary>
    public enum LoadProfile
    {
        Daily,
        Idle,
        Oversized,
    }

    public static LoadProfile ProfileOf(Instance instance) =>
        instance.Tags.GetValueOrDefault("app") switch
        {
            "batch" when instance.Tags.GetValueOrDefault("env") != "prod" => LoadProfile.Idle,
            "cache" or "worker" => LoadProfile.Oversized,
            _ => LoadProfile.Daily,
        };

    // FNV-1a, then a final mix: stable across processes (string.GetHashCode is not).
    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash ^= hash >> 15;
        hash *= 0x2c1b3c6du;
        return hash ^ (hash >> 12);
    }

    private static double Unit(uint hash) => hash / (double)uint.MaxValue;
}
