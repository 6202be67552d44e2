using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox account's bill, computed from its fleet and the price table so every node agrees: EC2 compute per instance
/// (running all day, stopped ones part of it, non-prod quieter at weekends), EBS per volume, and the services around a fleet (S3,
/// RDS, CloudWatch, data transfer, load balancing) with weekday patterns, a slow upward trend and a little noise. Instances'
/// tags (team, env, app) are its cost-allocation tags; the other services are untagged. Yesterday's data transfer is thirty times the usual
/// (a spend anomaly).
/// </summary>
public sealed class SandboxSpend(IInventory inventory, TimeProvider clock) : ISpendSource
{
    public const string Untagged = "(untagged)";
    public const string Ec2Compute = "Amazon Elastic Compute Cloud - Compute";
    public const string Ec2Other = "EC2 - Other";

    public static readonly IReadOnlyList<string> Tags = ["team", "env", "app"];

    /// <summary>The service whose spend jumps on the last complete day, so the anomaly watch has something to report.</summary>
    public const string SpikeService = "AWS Data Transfer";

    public const decimal SpikeFactor = 30m;

    private static readonly (string Service, decimal PerDay, string Region)[] Services =
    [
        ("Amazon Relational Database Service", 18.40m, "eu-west-1"),
        ("Amazon Simple Storage Service", 4.20m, "us-east-1"),
        ("AWS Data Transfer", 2.60m, "eu-west-1"),
        ("Elastic Load Balancing", 1.35m, "eu-west-1"),
        ("AmazonCloudWatch", 1.10m, "us-east-1"),
    ];

    public async Task<SpendReport> GetAsync(SpendQuery query, CancellationToken cancellationToken = default)
    {
        var fleet = await Fleet.AllAsync(inventory, cancellationToken);
        var lines = new Dictionary<(DateOnly, string), decimal>();
        var today = Today;
        foreach (var account in query.Accounts.Where(a => a == SandboxFleet.AccountId))
        {
            for (var day = query.From; day < query.To && day <= today; day = day.AddDays(1))
            {
                var start = query.Granularity == SpendGranularity.Monthly ? new DateOnly(day.Year, day.Month, 1) : day;
                foreach (var (group, amount) in Day(fleet, day, today, query.GroupBy, query.TagKey, account))
                {
                    lines[(start, group)] = lines.GetValueOrDefault((start, group)) + amount;
                }
            }
        }

        return new SpendReport(query, lines.Select(l => new SpendLine(l.Key.Item1, l.Key.Item2, decimal.Round(l.Value, 2))).OrderBy(l => l.Start).ThenBy(l => l.Group, StringComparer.Ordinal).ToList(),
            "USD", clock.GetUtcNow(), query.To > today);
    }

    public async Task<SpendForecast> ForecastAsync(IReadOnlyList<string> accounts, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var fleet = await Fleet.AllAsync(inventory, cancellationToken);
        var today = Today;
        var months = new List<ForecastMonth>();
        if (accounts.Contains(SandboxFleet.AccountId))
        {
            var n = 0;
            for (var month = new DateOnly(from.Year, from.Month, 1); month < to; month = month.AddMonths(1), n++)
            {
                var start = month < from ? from : month;
                var end = month.AddMonths(1) < to ? month.AddMonths(1) : to;
                var mean = 0m;
                for (var day = start; day < end; day = day.AddDays(1))
                {
                    mean += Day(fleet, day, today, SpendDimension.Service, null, SandboxFleet.AccountId).Sum(g => g.Amount);
                }

                mean = decimal.Round(mean, 2);
                var spread = 0.06m + (0.04m * n);
                months.Add(new ForecastMonth(month, mean, decimal.Round(mean * (1 - spread), 2), decimal.Round(mean * (1 + spread), 2)));
            }
        }

        return new SpendForecast(months, "USD", clock.GetUtcNow());
    }

    public Task<IReadOnlyList<string>> CostAllocationTagsAsync(IReadOnlyList<string> accounts, CancellationToken cancellationToken = default) =>
        Task.FromResult(Tags);

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>One day's spend by the grouping. Days after today are the forecast's model (the same pattern, no noise).</summary>
    private static IEnumerable<(string Group, decimal Amount)> Day(IReadOnlyList<Instance> fleet, DateOnly day, DateOnly today, SpendDimension by, string? tagKey, string account)
    {
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var trend = 1 + (0.004m * (day.DayNumber - today.DayNumber));
        decimal Noise(string what) => day > today ? 1 : 0.95m + (Hash($"{day.DayNumber}|{what}") % 100 / 1000m);
        foreach (var i in fleet)
        {
            if (i.State == InstanceState.Terminated || DateOnly.FromDateTime(i.LaunchTime.UtcDateTime) > day)
            {
                continue;
            }

            var hours = i.State == InstanceState.Stopped ? 4m : weekend && i.Tags.GetValueOrDefault("env") != "prod" ? 16m : 24m;
            var compute = (PriceTable.Hourly(i.Region, i.InstanceType)?.PerHour ?? 0.05m) * hours * trend * Noise(i.InstanceId);
            var storage = i.Volumes.Sum(v => PriceTable.VolumeMonthly(v.VolumeType, v.SizeGiB)) / 30m;
            yield return (Group(by, tagKey, account, Ec2Compute, i.Region, i.InstanceType, i.Tags), compute);
            yield return (Group(by, tagKey, account, Ec2Other, i.Region, "NoInstanceType", i.Tags), storage);
        }

        foreach (var (service, perDay, region) in Services)
        {
            var amount = perDay * (weekend ? 0.7m : 1m) * trend * Noise(service);
            if (service == SpikeService && day == today.AddDays(-1))
            {
                // Yesterday a backup copy went out over the internet: the spend anomaly the watch reports.
                amount *= SpikeFactor;
            }

            yield return (Group(by, tagKey, account, service, region, "NoInstanceType", null), amount);
        }
    }

    private static string Group(SpendDimension by, string? tagKey, string account, string service, string region, string type, IReadOnlyDictionary<string, string>? tags) => by switch
    {
        SpendDimension.Service => service,
        SpendDimension.Account => account,
        SpendDimension.Region => region,
        SpendDimension.InstanceType => type,
        SpendDimension.Tag => tags is not null && tagKey is not null && tags.TryGetValue(tagKey, out var v) && v.Length > 0 ? v : Untagged,
    };

    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
