using System.Text.Json;
using System.Text.Json.Nodes;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Costs;

/// <summary>
/// A loopback stub for the AWS Price List query API (moto has no pricing service): <c>AWSPriceListService.GetProducts</c>
/// answered with the botocore output shape — FormatVersion, PriceList (each entry a JSON document sent as a string, with
/// product.attributes and terms.OnDemand.{offer}.priceDimensions.{dimension}.pricePerUnit.USD), NextToken — two pages per region.
/// </summary>
public sealed class PriceListStub
{
    public Dictionary<string, Dictionary<string, decimal>> Prices { get; } = new(StringComparer.Ordinal)
    {
        ["us-east-1"] = new(StringComparer.Ordinal) { ["m5.large"] = 0.096m, ["t3.micro"] = 0.0104m, ["x2iedn.32xlarge"] = 26.676m },
    };

    public List<JsonNode> Requests { get; } = [];

    public void Install(LoopbackProxy proxy) => proxy.Stub("AWSPriceListService.GetProducts", body =>
    {
        var request = JsonNode.Parse(body)!;
        lock (Requests)
        {
            Requests.Add(request);
        }

        var region = (request["Filters"] as JsonArray)!.First(f => f!["Field"]!.GetValue<string>() == "regionCode")!["Value"]!.GetValue<string>();
        var entries = Prices.GetValueOrDefault(region, []).Select(p => Entry(region, p.Key, p.Value)).ToList();
        // A Windows-licensed product and a per-request dimension that the client must skip.
        entries.Add(JsonSerializer.Serialize(new { product = new { attributes = new { instanceType = "m5.large", regionCode = region } }, terms = new { OnDemand = new Dictionary<string, object> { ["X.Y"] = new { effectiveDate = "2024-01-01T00:00:00Z", priceDimensions = new Dictionary<string, object> { ["X.Y.Z"] = new { unit = "Quantity", pricePerUnit = new { USD = "5.0" } } } } } } }));
        var second = request["NextToken"]?.GetValue<string>() == "page-2";
        var half = entries.Count / 2;
        var page = second ? entries.Skip(half) : entries.Take(half);
        return JsonSerializer.Serialize(new { FormatVersion = "aws_v1", PriceList = page, NextToken = second ? null : "page-2" });
    });

    private static string Entry(string region, string type, decimal price)
    {
        var sku = "SKU" + Math.Abs(type.GetHashCode(StringComparison.Ordinal));
        return JsonSerializer.Serialize(new
        {
            product = new { productFamily = "Compute Instance", attributes = new { instanceType = type, regionCode = region, operatingSystem = "Linux", tenancy = "Shared" }, sku },
            serviceCode = "AmazonEC2",
            terms = new
            {
                OnDemand = new Dictionary<string, object>
                {
                    [sku + ".JRTCKXETXF"] = new
                    {
                        offerTermCode = "JRTCKXETXF",
                        sku,
                        effectiveDate = "2024-11-01T00:00:00Z",
                        priceDimensions = new Dictionary<string, object>
                        {
                            [sku + ".JRTCKXETXF.6YS6EN2CT7"] = new { unit = "Hrs", description = $"${price} per On Demand Linux {type} Instance Hour", pricePerUnit = new { USD = price.ToString("0.0000000000", System.Globalization.CultureInfo.InvariantCulture) } },
                        },
                    },
                },
            },
            version = "20241101000000",
            publicationDate = "2024-11-01T00:00:00Z",
        });
    }
}
