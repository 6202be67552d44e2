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

    public SnapshotSettings Snapshots { get; init; } = new();

    /// <summary>The Price List's prices kept in the database; without it the bundled table serves.</summary>
    public IPriceStore? Prices { get; init; }

    /// <summary>Cost Explorer's purchase recommendations and the active reservations; without it no RI / Savings Plans findings.</summary>
    public ICommitmentSource? Commitments { get; init; }

    public ICostCoverageStore? Coverage { get; init; }

    /// <summary>The backup policies whose retention says which snapshots are old; without it only the age limit applies.</summary>
    public Backups.IBackupPolicyStore? BackupPolicies { get; init; }

    /// <summary>Tells which snapshots images are made of (never proposed); without it images are read through <see cref="ICloudResources"/> only.</summary>
    public Backups.IBackupCloud? BackupCloud { get; init; }

    /// <summary>Days of Spot price history read for the Spot rule.</summary>
    public int SpotHistoryDays { get; init; } = 30;

    public async Task<CostScanRecord> ScanAsync(CancellationToken cancellationToken = default)
    {
        var started = clock.GetUtcNow();
        var fleet = await Fleet.AllAsync(inventory, cancellationToken);
        var (found, calls, errors, unreported) = await FindAllAsync(fleet, cancellationToken);
        var scan = new CostScanRecord(DateOnly.FromDateTime(started.UtcDateTime), started, clock.GetUtcNow(), fleet.Count, found.Count, found.Sum(r => r.MonthlySaving), calls, errors)
        {
            ReservationsUnreported = unreported.Select(s => s.ToString()).ToList(),
        };
        await store.ReplaceAsync(scan, found, cancellationToken);
        return scan;
    }

    /// <summary>The recommendations for this fleet and the accounts' volumes and addresses, without storing them.</summary>
    public async Task<(IReadOnlyList<Recommendation> Found, int MetricCalls, IReadOnlyList<string> Errors)> FindAsync(IReadOnlyList<Instance> fleet, CancellationToken cancellationToken = default)
    {
        var (found, calls, errors, _) = await FindAllAsync(fleet, cancellationToken);
        return (found, calls, errors);
    }

    private async Task<(IReadOnlyList<Recommendation> Found, int MetricCalls, IReadOnlyList<string> Errors, IReadOnlyList<CloudScope> Unreported)> FindAllAsync(IReadOnlyList<Instance> fleet, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var end = Floor(clock.GetUtcNow());
        var from = end.AddDays(-Settings.LookbackDays);
        var running = fleet.Where(i => i.State == InstanceState.Running).ToList();
        var prices = Prices is null ? PriceBook.Bundled : await Prices.LoadAsync(cancellationToken);
        var settings = Settings with { Prices = prices };
        var fetch = running.Count == 0 ? new UtilizationFetch(new Dictionary<InstanceRef, InstanceUtilization>(), 0, []) : await utilization.FetchAsync(running.Select(i => i.Ref).ToList(), from, end, cancellationToken);
        errors.AddRange(fetch.Errors);
        var found = Evaluate(running, fetch.Series, settings);
        var policies = BackupPolicies is null ? [] : await BackupPolicies.ListAsync(cancellationToken);
        var reservations = new List<ActiveReservation>();
        var unreported = new List<CloudScope>();

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

                await GuardAsync(errors, $"{scope} Spot prices", async () => found.AddRange(await SpotAsync(scope, running, prices, end, cancellationToken)));
                await GuardAsync(errors, $"{scope} snapshots", async () =>
                {
                    var behind = BackupCloud is null ? new HashSet<string>() : await BackupCloud.SnapshotsBehindImagesAsync(scope, cancellationToken);
                    found.AddRange(SnapshotRules.Evaluate(await resources.SnapshotsAsync(scope, cancellationToken), policies, behind, clock.GetUtcNow(), Snapshots));
                });
                if (Commitments is not null)
                {
                    await GuardAsync(errors, $"{scope} reservations", async () =>
                    {
                        try
                        {
                            reservations.AddRange(await Commitments.ReservationsAsync(scope, cancellationToken));
                        }
                        catch (ReservationsNotReportedException)
                        {
                            // Unknown for this region, not an error and not "none": the coverage rows say so.
                            unreported.Add(scope);
                        }
                    });
                }
            }

            if (Commitments is not null)
            {
                await GuardAsync(errors, $"{account.Id} purchase recommendations", async () => found.AddRange(CommitmentRules.Recommendations(await Commitments.AdviceAsync(account.Id, cancellationToken))));
            }
        }

        if (Coverage is not null)
        {
            await Coverage.ReplaceAsync(DateOnly.FromDateTime(end.UtcDateTime), CommitmentRules.Coverage(running, reservations, prices, unreported), cancellationToken);
        }

        return (found.OrderByDescending(r => r.MonthlySaving).ThenBy(r => r.Key, StringComparer.Ordinal).ToList(), fetch.Calls, errors, unreported);
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

    /// <summary>Spot recommendations for the stateless running instances of one scope: one price history read for their types.</summary>
    private async Task<IEnumerable<Recommendation>> SpotAsync(CloudScope scope, IReadOnlyList<Instance> running, PriceBook prices, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var candidates = running.Where(i => i.AccountId == scope.AccountId && i.Region == scope.Region && SpotRules.StatelessBecause(i) is not null).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var types = candidates.Select(i => i.InstanceType).Distinct(StringComparer.Ordinal).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var history = (await resources.SpotPriceHistoryAsync(scope, types, end.AddDays(-SpotHistoryDays), cancellationToken))
            .Where(p => p.ProductDescription.StartsWith("Linux/UNIX", StringComparison.Ordinal)).ToList();
        return candidates.Select(i => SpotRules.Evaluate(i, history, prices.Quote)).Where(r => r is not null).Select(r => r!).ToList();
    }

    private static async Task GuardAsync(List<string> errors, string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            errors.Add($"{what}: {e.Message}");
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);
}
