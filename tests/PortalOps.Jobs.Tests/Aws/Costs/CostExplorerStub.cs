using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Costs;

/// <summary>
/// A loopback stub for the Cost Explorer calls moto 5.2.1 lacks — GetCostForecast and ListCostAllocationTags — answering with the
/// botocore model's output shapes (Total and ForecastResultsByTime with prediction bounds; CostAllocationTags with TagKey, Type,
/// Status). Every other call (GetCostAndUsage) goes on to moto. With <see cref="InstallPurchaseRecommendations"/> it also answers
/// GetReservationPurchaseRecommendation and GetSavingsPlansPurchaseRecommendation (moto lacks both) with the botocore output shapes:
/// Recommendations[].RecommendationDetails[] (AccountId, InstanceDetails.EC2InstanceDetails, RecommendedNumberOfInstancesToPurchase,
/// EstimatedMonthlySavingsAmount, UpfrontCost, AverageUtilization, CurrencyCode as strings) and
/// SavingsPlansPurchaseRecommendation.SavingsPlansPurchaseRecommendationDetails[] (HourlyCommitmentToPurchase, EstimatedMonthlySavingsAmount,
/// EstimatedSavingsPercentage, UpfrontCost).
/// </summary>
public sealed class CostExplorerStub
{
    /// <summary>Forecast mean per month the stub answers with.</summary>
    public decimal MonthlyMean { get; set; } = 1000m;

    public List<string> ActiveTags { get; } = ["team", "env"];

    public int ForecastCalls { get; private set; }

    public void Install(LoopbackProxy proxy)
    {
        proxy.Stub("AWSInsightsIndexService.GetCostForecast", body =>
        {
            ForecastCalls++;
            var request = JsonNode.Parse(body)!;
            var start = DateOnly.Parse(request["TimePeriod"]!["Start"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var end = DateOnly.Parse(request["TimePeriod"]!["End"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var months = new List<object>();
            for (var m = new DateOnly(start.Year, start.Month, 1); m < end; m = m.AddMonths(1))
            {
                var from = m < start ? start : m;
                var to = m.AddMonths(1) < end ? m.AddMonths(1) : end;
                months.Add(new
                {
                    TimePeriod = new { Start = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), End = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
                    MeanValue = MonthlyMean.ToString(CultureInfo.InvariantCulture),
                    PredictionIntervalLowerBound = (MonthlyMean * 0.9m).ToString(CultureInfo.InvariantCulture),
                    PredictionIntervalUpperBound = (MonthlyMean * 1.1m).ToString(CultureInfo.InvariantCulture),
                });
            }

            return JsonSerializer.Serialize(new
            {
                Total = new { Amount = (MonthlyMean * months.Count).ToString(CultureInfo.InvariantCulture), Unit = "USD" },
                ForecastResultsByTime = months,
            });
        });
        proxy.Stub("AWSInsightsIndexService.ListCostAllocationTags", _ => JsonSerializer.Serialize(new
        {
            CostAllocationTags = ActiveTags.Select(t => new { TagKey = t, Type = "UserDefined", Status = "Active", LastUpdatedDate = "2024-01-01T00:00:00Z" }),
        }));
    }

    public int PurchaseRecommendationCalls { get; private set; }

    public void InstallPurchaseRecommendations(LoopbackProxy proxy, string accountId)
    {
        proxy.Stub("AWSInsightsIndexService.GetReservationPurchaseRecommendation", body =>
        {
            PurchaseRecommendationCalls++;
            var request = JsonNode.Parse(body)!;
            return JsonSerializer.Serialize(new
            {
                Metadata = new { RecommendationId = "rec-1", GenerationTimestamp = "2024-02-10T00:00:00Z", LookbackPeriodInDays = request["LookbackPeriodInDays"]?.GetValue<string>() },
                Recommendations = new[]
                {
                    new
                    {
                        AccountScope = "PAYER",
                        LookbackPeriodInDays = "THIRTY_DAYS",
                        TermInYears = request["TermInYears"]?.GetValue<string>(),
                        PaymentOption = request["PaymentOption"]?.GetValue<string>(),
                        RecommendationDetails = new[]
                        {
                            new
                            {
                                AccountId = accountId,
                                InstanceDetails = new { EC2InstanceDetails = new { Family = "m5", InstanceType = "m5.large", Region = "us-east-1", AvailabilityZone = "", Platform = "Linux/UNIX", Tenancy = "shared", CurrentGeneration = true, SizeFlexEligible = true } },
                                RecommendedNumberOfInstancesToPurchase = "3",
                                RecommendedNormalizedUnitsToPurchase = "12",
                                MinimumNumberOfInstancesUsedPerHour = "3",
                                AverageUtilization = "97.5",
                                EstimatedMonthlySavingsAmount = "77.38",
                                EstimatedMonthlySavingsPercentage = "36.8",
                                EstimatedMonthlyOnDemandCost = "210.24",
                                UpfrontCost = "0.0",
                                RecurringStandardMonthlyCost = "132.86",
                                CurrencyCode = "USD",
                            },
                        },
                    },
                },
            });
        });
        proxy.Stub("AWSInsightsIndexService.GetSavingsPlansPurchaseRecommendation", _ =>
        {
            PurchaseRecommendationCalls++;
            return JsonSerializer.Serialize(new
            {
                Metadata = new { RecommendationId = "sp-1", GenerationTimestamp = "2024-02-10T00:00:00Z" },
                SavingsPlansPurchaseRecommendation = new
                {
                    AccountScope = "PAYER",
                    SavingsPlansType = "COMPUTE_SP",
                    TermInYears = "ONE_YEAR",
                    PaymentOption = "NO_UPFRONT",
                    LookbackPeriodInDays = "THIRTY_DAYS",
                    SavingsPlansPurchaseRecommendationDetails = new[]
                    {
                        new
                        {
                            AccountId = accountId,
                            HourlyCommitmentToPurchase = "0.42",
                            EstimatedMonthlySavingsAmount = "95.12",
                            EstimatedSavingsPercentage = "24.6",
                            EstimatedOnDemandCost = "386.4",
                            UpfrontCost = "0",
                            CurrencyCode = "USD",
                        },
                    },
                },
            });
        });
    }
}
