using System.Globalization;
using System.Text.Json.Nodes;
using PortalOps.Domain.Costs;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws.Costs;

/// <summary>
/// On-demand prices from the AWS Price List query API: one paged <c>GetProducts</c> query per region (AmazonEC2, Linux, shared
/// tenancy, no pre-installed software, capacity status Used), keeping the types asked for. Each PriceList entry is a JSON
/// document: <c>product.attributes.instanceType</c> and the hourly USD of its <c>terms.OnDemand</c> price dimension.
/// </summary>
public sealed class AwsPriceList(AwsProtocolClient core, AwsClients clients) : IPriceList
{
    public async Task<IReadOnlyList<ListedPrice>> OnDemandAsync(string region, IReadOnlyList<string> instanceTypes, CancellationToken cancellationToken = default)
    {
        var wanted = instanceTypes.ToHashSet(StringComparer.Ordinal);
        var endpoint = clients.Endpoint(AccountId(), AwsServiceDescriptor.Pricing.GlobalRegion, AwsServiceDescriptor.Pricing);
        var found = await AwsProtocolClient.PaginateAsync<ListedPrice>(async token =>
        {
            var body = new JsonObject
            {
                ["ServiceCode"] = "AmazonEC2",
                ["FormatVersion"] = "aws_v1",
                ["MaxResults"] = 100,
                ["Filters"] = new JsonArray(
                    Term("regionCode", region), Term("operatingSystem", "Linux"), Term("tenancy", "Shared"),
                    Term("preInstalledSw", "NA"), Term("capacitystatus", "Used"), Term("licenseModel", "No License required")),
            };
            if (token is not null)
            {
                body["NextToken"] = token;
            }

            var r = await core.JsonAsync(endpoint, "GetProducts", body, cancellationToken).ConfigureAwait(false);
            var items = (r.Body["PriceList"] as JsonArray ?? []).Select(p => Parse(p, region)).Where(p => p is not null && wanted.Contains(p.InstanceType)).Select(p => p!).ToList();
            return (items, r.Body["NextToken"] is JsonValue v && v.TryGetValue<string>(out var next) && next.Length > 0 ? next : null);
        }).ConfigureAwait(false);
        return found.GroupBy(p => p.InstanceType).Select(g => g.OrderByDescending(p => p.EffectiveDate).First()).ToList();
    }

    /// <summary>One Price List entry (a JSON document, sent as a string) as a price; null when it is not an hourly USD on-demand price.</summary>
    public static ListedPrice? Parse(JsonNode? entry, string region)
    {
        var doc = entry is JsonValue v && v.TryGetValue<string>(out var text) ? JsonNode.Parse(text) : entry;
        var type = doc?["product"]?["attributes"]?["instanceType"]?.GetValue<string>();
        if (type is null || doc?["terms"]?["OnDemand"] is not JsonObject onDemand)
        {
            return null;
        }

        foreach (var (_, term) in onDemand)
        {
            foreach (var (_, dimension) in term?["priceDimensions"] as JsonObject ?? [])
            {
                var unit = dimension?["unit"]?.GetValue<string>();
                var usd = dimension?["pricePerUnit"]?["USD"]?.GetValue<string>();
                if (unit is "Hrs" && decimal.TryParse(usd, NumberStyles.Float, CultureInfo.InvariantCulture, out var price) && price > 0)
                {
                    var effective = DateTimeOffset.TryParse(term?["effectiveDate"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? DateOnly.FromDateTime(at.UtcDateTime) : default;
                    return new ListedPrice(region, type, price, effective);
                }
            }
        }

        return null;
    }

    // Prices are public: any configured account's credentials read them.
    private string AccountId() => clients.Options.Accounts.FirstOrDefault()?.Id ?? throw new InvalidOperationException("No AWS account is configured to read the Price List with.");

    private static JsonObject Term(string field, string value) => new() { ["Type"] = "TERM_MATCH", ["Field"] = field, ["Value"] = value };
}
