using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws.Costs;

public sealed record CostAmount(decimal Amount, string Unit);

public sealed record CostGroup(IReadOnlyList<string> Keys, IReadOnlyDictionary<string, CostAmount> Metrics);

public sealed record CostPeriod(DateOnly Start, DateOnly End, IReadOnlyDictionary<string, CostAmount> Total, IReadOnlyList<CostGroup> Groups, bool Estimated);

public sealed record CostForecast(CostAmount Total, IReadOnlyList<(DateOnly Start, DateOnly End, decimal Mean, decimal? Low, decimal? High)> ByTime);

public sealed record RightsizingRecommendation(string AccountId, string ResourceId, string? InstanceName, string? CurrentType, string Action, string? TargetType, decimal EstimatedMonthlySavings, string Currency, IReadOnlyList<string> Reasons);

public sealed record ReservationRecommendation(string? AccountId, string? InstanceType, string? Region, int RecommendedCount, decimal EstimatedMonthlySavings, decimal UpfrontCost, string Currency)
{
    /// <summary>The expected utilization of the reservation (%), as Cost Explorer gives it.</summary>
    public decimal? AverageUtilization { get; init; }
}

public sealed record SavingsPlansRecommendation(string? AccountId, decimal HourlyCommitment, decimal EstimatedMonthlySavings, decimal EstimatedSavingsPercentage, decimal UpfrontCost, string Currency);

/// <summary>
/// Cost Explorer over JSON 1.1. Answers are cached for <c>Aws:CostCacheMinutes</c>: AWS refreshes the data at most
/// three times a day and bills every call.
/// </summary>
public interface ICostExplorerApi
{
    Task<IReadOnlyList<CostPeriod>> GetCostAndUsageAsync(string accountId, DateOnly start, DateOnly end, string granularity, IReadOnlyList<string> metrics, IReadOnlyList<(string Type, string Key)>? groupBy = null, CancellationToken ct = default);

    Task<CostForecast> GetCostForecastAsync(string accountId, DateOnly start, DateOnly end, string metric = "UNBLENDED_COST", string granularity = "MONTHLY", CancellationToken ct = default);

    Task<IReadOnlyList<RightsizingRecommendation>> GetRightsizingRecommendationsAsync(string accountId, CancellationToken ct = default);

    Task<IReadOnlyList<ReservationRecommendation>> GetReservationPurchaseRecommendationsAsync(string accountId, string service = "Amazon Elastic Compute Cloud - Compute", string term = "ONE_YEAR", string paymentOption = "NO_UPFRONT", string lookback = "THIRTY_DAYS", CancellationToken ct = default);

    Task<IReadOnlyList<SavingsPlansRecommendation>> GetSavingsPlansPurchaseRecommendationsAsync(string accountId, string type = "COMPUTE_SP", string term = "ONE_YEAR", string paymentOption = "NO_UPFRONT", string lookback = "THIRTY_DAYS", CancellationToken ct = default);

    /// <summary>The tag keys activated for cost allocation (only those group spend by tag).</summary>
    Task<IReadOnlyList<string>> ListActiveCostAllocationTagsAsync(string accountId, CancellationToken ct = default);
}

public sealed class CostExplorerClient(AwsProtocolClient core, AwsClients clients, IOptions<AwsOptions> options, TimeProvider clock) : ICostExplorerApi
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, object Value)> cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<CostPeriod>> GetCostAndUsageAsync(string accountId, DateOnly start, DateOnly end, string granularity, IReadOnlyList<string> metrics, IReadOnlyList<(string Type, string Key)>? groupBy = null, CancellationToken ct = default)
    {
        JsonObject Body(string? token)
        {
            var body = new JsonObject
            {
                ["TimePeriod"] = Period(start, end),
                ["Granularity"] = granularity,
                ["Metrics"] = new JsonArray(metrics.Select(m => (JsonNode)m).ToArray()),
            };
            if (groupBy is { Count: > 0 })
            {
                body["GroupBy"] = new JsonArray(groupBy.Select(g => (JsonNode)new JsonObject { ["Type"] = g.Type, ["Key"] = g.Key }).ToArray());
            }

            if (token is not null)
            {
                body["NextPageToken"] = token;
            }

            return body;
        }

        return await CachedAsync(accountId, "GetCostAndUsage", Body(null), () => AwsProtocolClient.PaginateAsync<CostPeriod>(async token =>
        {
            var r = await Call(accountId, "GetCostAndUsage", Body(token), ct).ConfigureAwait(false);
            var periods = Array(r.Body["ResultsByTime"]).Select(p => new CostPeriod(
                Date(p?["TimePeriod"]?["Start"]),
                Date(p?["TimePeriod"]?["End"]),
                Metrics(p?["Total"]),
                Array(p?["Groups"]).Select(g => new CostGroup(Array(g?["Keys"]).Select(k => k?.GetValue<string>() ?? "").ToList(), Metrics(g?["Metrics"]))).ToList(),
                p?["Estimated"]?.GetValue<bool>() ?? false));
            return (periods, Str(r.Body["NextPageToken"]));
        })).ConfigureAwait(false);
    }

    public Task<CostForecast> GetCostForecastAsync(string accountId, DateOnly start, DateOnly end, string metric = "UNBLENDED_COST", string granularity = "MONTHLY", CancellationToken ct = default)
    {
        var body = new JsonObject { ["TimePeriod"] = Period(start, end), ["Metric"] = metric, ["Granularity"] = granularity, ["PredictionIntervalLevel"] = 80 };
        return CachedAsync(accountId, "GetCostForecast", body, async () =>
        {
            var r = await Call(accountId, "GetCostForecast", body.DeepClone().AsObject(), ct).ConfigureAwait(false);
            return new CostForecast(
                Amount(r.Body["Total"]),
                Array(r.Body["ForecastResultsByTime"]).Select(f => (Date(f?["TimePeriod"]?["Start"]), Date(f?["TimePeriod"]?["End"]), Dec(f?["MeanValue"]), (decimal?)Dec(f?["PredictionIntervalLowerBound"]), (decimal?)Dec(f?["PredictionIntervalUpperBound"]))).ToList());
        });
    }

    public Task<IReadOnlyList<RightsizingRecommendation>> GetRightsizingRecommendationsAsync(string accountId, CancellationToken ct = default)
    {
        JsonObject Body(string? token) => WithToken(new JsonObject
        {
            ["Service"] = "AmazonEC2",
            ["Configuration"] = new JsonObject { ["RecommendationTarget"] = "SAME_INSTANCE_FAMILY", ["BenefitsConsidered"] = true },
            ["PageSize"] = 100,
        }, token);
        return CachedAsync<IReadOnlyList<RightsizingRecommendation>>(accountId, "GetRightsizingRecommendation", Body(null), async () => await AwsProtocolClient.PaginateAsync<RightsizingRecommendation>(async token =>
        {
            var r = await Call(accountId, "GetRightsizingRecommendation", Body(token), ct).ConfigureAwait(false);
            return (Array(r.Body["RightsizingRecommendations"]).Select(x =>
            {
                var current = x?["CurrentInstance"];
                var type = Str(x?["RightsizingType"]) ?? "";
                var target = Array(x?["ModifyRecommendationDetail"]?["TargetInstances"]).FirstOrDefault(t => t?["DefaultTargetInstance"]?.GetValue<bool>() == true)
                             ?? Array(x?["ModifyRecommendationDetail"]?["TargetInstances"]).FirstOrDefault();
                var savings = type == "Terminate" ? x?["TerminateRecommendationDetail"]?["EstimatedMonthlySavings"] : target?["EstimatedMonthlySavings"];
                var currency = Str(type == "Terminate" ? x?["TerminateRecommendationDetail"]?["CurrencyCode"] : target?["CurrencyCode"]) ?? Str(current?["CurrencyCode"]) ?? "USD";
                return new RightsizingRecommendation(
                    Str(x?["AccountId"]) ?? "", Str(current?["ResourceId"]) ?? "", Str(current?["InstanceName"]),
                    Str(current?["ResourceDetails"]?["EC2ResourceDetails"]?["InstanceType"]), type,
                    Str(target?["ResourceDetails"]?["EC2ResourceDetails"]?["InstanceType"]), Dec(savings), currency,
                    Array(x?["FindingReasonCodes"]).Select(c => c?.GetValue<string>() ?? "").ToList());
            }), Str(r.Body["NextPageToken"]));
        }).ConfigureAwait(false));
    }

    public Task<IReadOnlyList<ReservationRecommendation>> GetReservationPurchaseRecommendationsAsync(string accountId, string service = "Amazon Elastic Compute Cloud - Compute", string term = "ONE_YEAR", string paymentOption = "NO_UPFRONT", string lookback = "THIRTY_DAYS", CancellationToken ct = default)
    {
        JsonObject Body(string? token) => WithToken(new JsonObject
        {
            ["Service"] = service, ["TermInYears"] = term, ["PaymentOption"] = paymentOption, ["LookbackPeriodInDays"] = lookback, ["PageSize"] = 100,
        }, token);
        return CachedAsync<IReadOnlyList<ReservationRecommendation>>(accountId, "GetReservationPurchaseRecommendation", Body(null), async () => await AwsProtocolClient.PaginateAsync<ReservationRecommendation>(async token =>
        {
            var r = await Call(accountId, "GetReservationPurchaseRecommendation", Body(token), ct).ConfigureAwait(false);
            var items = Array(r.Body["Recommendations"]).SelectMany(rec => Array(rec?["RecommendationDetails"])).Select(d => new ReservationRecommendation(
                Str(d?["AccountId"]),
                Str(d?["InstanceDetails"]?["EC2InstanceDetails"]?["InstanceType"]),
                Str(d?["InstanceDetails"]?["EC2InstanceDetails"]?["Region"]),
                (int)Dec(d?["RecommendedNumberOfInstancesToPurchase"]),
                Dec(d?["EstimatedMonthlySavingsAmount"]),
                Dec(d?["UpfrontCost"]),
                Str(d?["CurrencyCode"]) ?? "USD")
            {
                AverageUtilization = d?["AverageUtilization"] is { } u ? Dec(u) : null,
            });
            return (items, Str(r.Body["NextPageToken"]));
        }).ConfigureAwait(false));
    }

    public Task<IReadOnlyList<SavingsPlansRecommendation>> GetSavingsPlansPurchaseRecommendationsAsync(string accountId, string type = "COMPUTE_SP", string term = "ONE_YEAR", string paymentOption = "NO_UPFRONT", string lookback = "THIRTY_DAYS", CancellationToken ct = default)
    {
        JsonObject Body(string? token) => WithToken(new JsonObject
        {
            ["SavingsPlansType"] = type, ["TermInYears"] = term, ["PaymentOption"] = paymentOption, ["LookbackPeriodInDays"] = lookback, ["PageSize"] = 100,
        }, token);
        return CachedAsync<IReadOnlyList<SavingsPlansRecommendation>>(accountId, "GetSavingsPlansPurchaseRecommendation", Body(null), async () => await AwsProtocolClient.PaginateAsync<SavingsPlansRecommendation>(async token =>
        {
            var r = await Call(accountId, "GetSavingsPlansPurchaseRecommendation", Body(token), ct).ConfigureAwait(false);
            var items = Array(r.Body["SavingsPlansPurchaseRecommendation"]?["SavingsPlansPurchaseRecommendationDetails"]).Select(d => new SavingsPlansRecommendation(
                Str(d?["AccountId"]),
                Dec(d?["HourlyCommitmentToPurchase"]),
                Dec(d?["EstimatedMonthlySavingsAmount"]),
                Dec(d?["EstimatedSavingsPercentage"]),
                Dec(d?["UpfrontCost"]),
                Str(d?["CurrencyCode"]) ?? "USD"));
            return (items, Str(r.Body["NextPageToken"]));
        }).ConfigureAwait(false));
    }

    public Task<IReadOnlyList<string>> ListActiveCostAllocationTagsAsync(string accountId, CancellationToken ct = default)
    {
        JsonObject Body(string? token)
        {
            var body = new JsonObject { ["Status"] = "Active", ["MaxResults"] = 1000 };
            if (token is not null)
            {
                body["NextToken"] = token;
            }

            return body;
        }

        return CachedAsync<IReadOnlyList<string>>(accountId, "ListCostAllocationTags", Body(null), async () => await AwsProtocolClient.PaginateAsync<string>(async token =>
        {
            var r = await Call(accountId, "ListCostAllocationTags", Body(token), ct).ConfigureAwait(false);
            return (Array(r.Body["CostAllocationTags"]).Select(t => Str(t?["TagKey"]) ?? "").Where(k => k.Length > 0), Str(r.Body["NextToken"]));
        }).ConfigureAwait(false));
    }

    private Task<AwsResponse<JsonObject>> Call(string accountId, string operation, JsonObject body, CancellationToken ct) =>
        core.JsonAsync(clients.Endpoint(accountId, AwsServiceDescriptor.CostExplorer.GlobalRegion, AwsServiceDescriptor.CostExplorer), operation, body, ct);

    private async Task<T> CachedAsync<T>(string accountId, string operation, JsonObject request, Func<Task<T>> load)
        where T : class
    {
        var key = $"{accountId}|{operation}|{request.ToJsonString()}";
        var now = clock.GetUtcNow();
        if (cache.TryGetValue(key, out var hit) && now - hit.At < TimeSpan.FromMinutes(options.Value.CostCacheMinutes) && hit.Value is T value)
        {
            return value;
        }

        var fresh = await load().ConfigureAwait(false);
        cache[key] = (now, fresh);
        return fresh;
    }

    private static JsonObject WithToken(JsonObject body, string? token)
    {
        if (token is not null)
        {
            body["NextPageToken"] = token;
        }

        return body;
    }

    private static JsonObject Period(DateOnly start, DateOnly end) => new()
    {
        ["Start"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["End"] = end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static IEnumerable<JsonNode?> Array(JsonNode? node) => node as JsonArray ?? [];

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static DateOnly Date(JsonNode? node) => DateOnly.TryParse(Str(node), CultureInfo.InvariantCulture, out var d) ? d : default;

    private static decimal Dec(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue<decimal>(out var d) || (v.TryGetValue<string>(out var s) && decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d))) ? d : 0m;

    private static CostAmount Amount(JsonNode? node) => new(Dec(node?["Amount"]), Str(node?["Unit"]) ?? "USD");

    private static Dictionary<string, CostAmount> Metrics(JsonNode? node) =>
        (node as JsonObject)?.ToDictionary(kv => kv.Key, kv => Amount(kv.Value), StringComparer.Ordinal) ?? [];
}
