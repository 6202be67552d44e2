using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Costs;

/// <summary>
/// The daily cost scan: 14 days of hourly utilization of every running instance, the volumes and Elastic IPs of every account ×
/// region, through the rules, into the store as that day's recommendations. A second run the same day replaces the first's result.
/// </summary>
public sealed class CostScanner(
    IInventory inventory,
    ICloudProvider cloud,
    ICloudResources resources,
    IElasticIps addresses,
    IUtilizationSource utilization,
    ICostRecommendationStore store,
    TimeProvider clock)
{
    public RightsizingSettings Settings { get; init; } = new();

    public async Task<CostScanRecord> ScanAsync(CancellationToken cancellationToken = default)
    {
        var started = clock.GetUtcNow();
        var fleet = await Fleet.AllAsync(inventory, cancellationToken);
        var (found, calls, errors) = await FindAsync(fleet, cancellationToken);
        var scan = new CostScanRecord(DateOnly.FromDateTime(started.UtcDateTime), started, clock.GetUtcNow(), fleet.Count, found.Count, found.Sum(r => r.MonthlySaving), calls, errors);
        await store.ReplaceAsync(scan, found, cancellationToken);
        return scan;
    }

    /// <summary>The recommendations for this fleet and the accounts' volumes and addresses, without storing them.</summary>
    public async Task<(IReadOnlyList<Recommendation> Found, int MetricCalls, IReadOnlyList<string> Errors)> FindAsync(IReadOnlyList<Instance> fleet, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        var end = Floor(clock.GetUtcNow());
        var from = end.AddDays(-Settings.LookbackDays);
        var running = fleet.Where(i => i.State == InstanceState.Running).ToList();
        var fetch = running.Count == 0 ? new UtilizationFetch(new Dictionary<InstanceRef, InstanceUtilization>(), 0, []) : await utilization.FetchAsync(running.Select(i => i.Ref).ToList(), from, end, cancellationToken);
        errors.AddRange(fetch.Errors);
        var found = Evaluate(running, fetch.Series, Settings);

        foreach (var account in cloud.Accounts)
        {
            foreach (var region in account.Regions)
            {
                var scope = new CloudScope(account.Id, region);
                try
                {
                    found.AddRange(WasteRules.Volumes(await resources.VolumesAsync(scope, cancellationToken)));
                    found.AddRange(WasteRules.Addresses(await addresses.AddressesAsync(scope, cancellationToken)));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors.Add($"{scope}: {e.Message}");
                }
            }
        }

        return (found.OrderByDescending(r => r.MonthlySaving).ThenBy(r => r.Key, StringComparer.Ordinal).ToList(), fetch.Calls, errors);
    }

    /// <summary>The instance rules over already fetched utilization (what the benchmark times).</summary>
    public static List<Recommendation> Evaluate(IReadOnlyList<Instance> running, IReadOnlyDictionary<InstanceRef, InstanceUtilization> series, RightsizingSettings settings)
    {
        var found = new List<Recommendation>();
        foreach (var instance in running)
        {
            if (series.TryGetValue(instance.Ref, out var u) && RightsizingRules.Evaluate(instance, UtilizationSummary.Of(u), settings) is { } r)
            {
                found.Add(r);
            }
        }

        return found;
    }

    private static DateTimeOffset Floor(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);
}
