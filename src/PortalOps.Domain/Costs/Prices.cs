using System.Globalization;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Domain.Costs;

/// <summary>Where an on-demand price comes from.</summary>
public enum PriceSource
{
    /// <summary>The AWS Price List (pricing GetProducts), cached in the database and refreshed weekly.</summary>
    PriceList,

    /// <summary>The table bundled with PortalOps (<see cref="PriceTable"/>): the offline fallback.</summary>
    Bundled,
}

/// <summary>An on-demand Linux price per hour in USD, with where and as of when it comes.</summary>
public sealed record PriceQuote(decimal PerHour, PriceSource Source, DateOnly AsOf, bool RegionalPrice = true)
{
    public decimal Monthly => decimal.Round(PerHour * (decimal)PriceTable.HoursPerMonth, 2);

    /// <summary>"AWS Price List, 2026-11-30" or "bundled table of 2026-11-01 (us-east-1's price)".</summary>
    public string SourceText => Source == PriceSource.PriceList
        ? string.Create(CultureInfo.InvariantCulture, $"AWS Price List, {AsOf:yyyy-MM-dd}")
        : string.Create(CultureInfo.InvariantCulture, $"bundled table of {AsOf:yyyy-MM-dd}{(RegionalPrice ? string.Empty : ", us-east-1's price")}");
}

/// <summary>One on-demand price read from the AWS Price List.</summary>
public sealed record ListedPrice(string Region, string InstanceType, decimal PerHour, DateOnly EffectiveDate);

/// <summary>
/// The prices the cost rules use: the AWS Price List's where it has been fetched (per region and type), the bundled table
/// otherwise. Immutable; a refresh makes a new one.
/// </summary>
public sealed class PriceBook
{
    /// <summary>When the bundled table's prices were taken from the AWS price pages.</summary>
    public static readonly DateOnly BundledAsOf = new(2026, 11, 1);

    private readonly Dictionary<(string Region, string Type), ListedPrice> listed;

    public PriceBook(IEnumerable<ListedPrice> listed, DateTimeOffset? fetchedAt)
    {
        this.listed = new Dictionary<(string, string), ListedPrice>();
        foreach (var p in listed)
        {
            this.listed[(p.Region, p.InstanceType)] = p;
        }

        FetchedAt = fetchedAt;
    }

    /// <summary>Only the bundled table.</summary>
    public static PriceBook Bundled { get; } = new([], null);

    /// <summary>When the Price List was last read into the database; null when never (bundled table only).</summary>
    public DateTimeOffset? FetchedAt { get; }

    /// <summary>How many region × type prices come from the Price List.</summary>
    public int ListedCount => listed.Count;

    public PriceQuote? Quote(string region, string instanceType)
    {
        if (listed.TryGetValue((region, instanceType), out var p))
        {
            return new PriceQuote(p.PerHour, PriceSource.PriceList, DateOnly.FromDateTime((FetchedAt ?? default).UtcDateTime));
        }

        return PriceTable.Hourly(region, instanceType) is { } h ? new PriceQuote(h.PerHour, PriceSource.Bundled, BundledAsOf, h.RegionalPrice) : null;
    }

    public decimal? Monthly(string region, string instanceType) => Quote(region, instanceType)?.Monthly;

    /// <summary>One line for the page: which source the prices come from and as of when.</summary>
    public string Describe() => FetchedAt is { } at && ListedCount > 0
        ? string.Create(CultureInfo.InvariantCulture, $"On-demand prices: AWS Price List as of {at:yyyy-MM-dd HH:mm} UTC ({ListedCount} region × type prices); types it lacks use the bundled table of {BundledAsOf:yyyy-MM-dd}.")
        : string.Create(CultureInfo.InvariantCulture, $"On-demand prices: the bundled table of {BundledAsOf:yyyy-MM-dd} (the AWS Price List has not been read).");
}

/// <summary>Reads on-demand prices from the AWS Price List (pricing GetProducts).</summary>
public interface IPriceList
{
    /// <summary>Linux, shared tenancy, no pre-installed software, on-demand prices of these types in the region.</summary>
    Task<IReadOnlyList<ListedPrice>> OnDemandAsync(string region, IReadOnlyList<string> instanceTypes, CancellationToken cancellationToken = default);
}

/// <summary>The Price List's prices kept in the database.</summary>
public interface IPriceStore
{
    Task<PriceBook> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the prices of the regions in <paramref name="prices"/> and records the fetch time.</summary>
    Task SaveAsync(IReadOnlyList<ListedPrice> prices, DateTimeOffset fetchedAt, CancellationToken cancellationToken = default);
}

/// <summary>What a price refresh did.</summary>
public sealed record PriceRefresh(bool Refreshed, int Prices, IReadOnlyList<string> Errors, string Message);

/// <summary>
/// Reads the Price List for every configured region and the types PortalOps recommends, at most once a week (a second run in
/// the week does nothing unless forced). A region whose read fails keeps its last prices; with none, the bundled table serves.
/// </summary>
public sealed class PriceRefresher(IPriceList priceList, IPriceStore store, ICloudProvider cloud, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(7);

    public async Task<PriceRefresh> RefreshAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var current = await store.LoadAsync(cancellationToken);
        if (!force && current.FetchedAt is { } at && now - at < Interval)
        {
            return new PriceRefresh(false, current.ListedCount, [], string.Create(CultureInfo.InvariantCulture, $"Prices are from {at:yyyy-MM-dd}; the next read is due {at + Interval:yyyy-MM-dd}."));
        }

        var types = InstanceSpecs.All.Select(s => s.Type).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var found = new List<ListedPrice>();
        var errors = new List<string>();
        foreach (var region in cloud.Accounts.SelectMany(a => a.Regions).Distinct(StringComparer.Ordinal))
        {
            try
            {
                found.AddRange(await priceList.OnDemandAsync(region, types, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Add($"{region}: {e.Message}");
            }
        }

        if (found.Count == 0)
        {
            return new PriceRefresh(false, current.ListedCount, errors, "The Price List gave no prices; the last ones (or the bundled table) stay in use.");
        }

        await store.SaveAsync(found, now, cancellationToken);
        return new PriceRefresh(true, found.Count, errors, $"Read {found.Count} prices from the AWS Price List.");
    }
}
