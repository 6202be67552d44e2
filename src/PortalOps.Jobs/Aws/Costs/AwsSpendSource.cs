using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Costs;

namespace PortalOps.Jobs.Aws.Costs;

/// <summary>
/// Spend from Cost Explorer (GetCostAndUsage, GetCostForecast, ListCostAllocationTags), one call per account and question,
/// UnblendedCost. Each distinct question is answered from a cache for <c>Aws:CostCacheMinutes</c> (AWS refreshes the data at most
/// three times a day and bills every call), and the answer says when it was fetched, so pages show its age.
/// </summary>
public sealed class AwsSpendSource(ICostExplorerApi ce, IOptions<AwsOptions> options, TimeProvider clock) : ISpendSource
{
    public const string Metric = "UnblendedCost";
    public const string Untagged = "(untagged)";

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, object Value)> _cache = new(StringComparer.Ordinal);

    public Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default) =>
        CachedAsync("spend|" + query.Key, async at =>
        {
            var lines = new Dictionary<(DateOnly, string), decimal>();
            var currency = "USD";
            var estimated = false;
            foreach (var account in query.Accounts.Distinct())
            {
                var periods = await ce.GetCostAndUsageAsync(account, query.From, query.To, query.Granularity == SpendGranularity.Daily ? "DAILY" : "MONTHLY", [Metric], [GroupBy(query)], cancellationToken).ConfigureAwait(false);
                foreach (var p in periods)
                {
                    estimated |= p.Estimated;
                    if (p.Groups.Count == 0 && p.Total.TryGetValue(Metric, out var total))
                    {
                        Add(lines, p.Start, query.GroupBy == SpendDimension.Account ? account : "Total", total.Amount);
                        currency = total.Unit;
                        continue;
                    }

                    foreach (var g in p.Groups)
                    {
                        if (g.Metrics.TryGetValue(Metric, out var amount))
                        {
                            Add(lines, p.Start, Label(query, g.Keys.FirstOrDefault() ?? string.Empty), amount.Amount);
                            currency = amount.Unit;
                        }
                    }
                }
            }

            return new SpendReport(query, lines.Select(l => new SpendLine(l.Key.Item1, l.Key.Item2, l.Value)).OrderBy(l => l.Start).ThenBy(l => l.Group, StringComparer.Ordinal).ToList(), currency, at, estimated);
        });

    public Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        CachedAsync($"forecast|{from:yyyy-MM-dd}|{to:yyyy-MM-dd}|{string.Join(',', accounts.Order(StringComparer.Ordinal))}", async at =>
        {
            var months = new Dictionary<DateOnly, (decimal Mean, decimal Low, decimal High)>();
            var currency = "USD";
            if (to > from)
            {
                foreach (var account in accounts.Distinct())
                {
                    var f = await ce.GetCostForecastAsync(account, from, to, "UNBLENDED_COST", "MONTHLY", cancellationToken).ConfigureAwait(false);
                    currency = f.Total.Unit;
                    foreach (var (start, _, mean, low, high) in f.ByTime)
                    {
                        var month = new DateOnly(start.Year, start.Month, 1);
                        var m = months.GetValueOrDefault(month);
                        months[month] = (m.Mean + mean, m.Low + (low ?? mean), m.High + (high ?? mean));
                    }
                }
            }

            return new SpendForecast(months.OrderBy(m => m.Key).Select(m => new ForecastMonth(m.Key, m.Value.Mean, m.Value.Low, m.Value.High)).ToList(), currency, at);
        });

    public Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) =>
        CachedAsync<IReadOnlyList<string>>($"tags|{string.Join(',', accounts.Order(StringComparer.Ordinal))}", async _ =>
        {
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var account in accounts.Distinct())
            {
                keys.UnionWith(await ce.ListActiveCostAllocationTagsAsync(account, cancellationToken).ConfigureAwait(false));
            }

            return keys.ToList();
        });

    /// <summary>Cost Explorer's GroupBy for a grouping.</summary>
    public static (string Type, string Key) GroupBy(SpendQuery query) => query.GroupBy switch
    {
        SpendDimension.Service => ("DIMENSION", "SERVICE"),
        SpendDimension.Account => ("DIMENSION", "LINKED_ACCOUNT"),
        SpendDimension.Region => ("DIMENSION", "REGION"),
        SpendDimension.InstanceType => ("DIMENSION", "INSTANCE_TYPE"),
        SpendDimension.Tag => ("TAG", query.TagKey ?? string.Empty),
    };

    /// <summary>A tag group's key comes as "team$payments" ("team$" when untagged).</summary>
    private static string Label(SpendQuery query, string key)
    {
        if (query.GroupBy != SpendDimension.Tag)
        {
            return key.Length == 0 ? "(none)" : key;
        }

        var value = key.Contains('$', StringComparison.Ordinal) ? key[(key.IndexOf('$', StringComparison.Ordinal) + 1)..] : key;
        return value.Length == 0 ? Untagged : value;
    }

    private static void Add(Dictionary<(DateOnly, string), decimal> lines, DateOnly start, string group, decimal amount) =>
        lines[(start, group)] = lines.GetValueOrDefault((start, group)) + amount;

    private async Task<T> CachedAsync<T>(string key, Func<DateTimeOffset, Task<T>> load)
        where T : class
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(key, out var hit) && now - hit.At < TimeSpan.FromMinutes(options.Value.CostCacheMinutes) && hit.Value is T value)
        {
            return value;
        }

        var fresh = await load(now).ConfigureAwait(false);
        _cache[key] = (now, fresh);
        return fresh;
    }
}
