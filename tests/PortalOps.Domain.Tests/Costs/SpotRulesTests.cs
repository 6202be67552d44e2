using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class SpotRulesTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "eu-west-1");

    // m5.large on demand in eu-west-1: 0.107 USD/h (bundled table).
    private static Instance Worker(params string[] tags) => Make.Instance("i-w1", type: "m5.large", name: "worker-01", tags: tags);

    private static List<SpotPrice> Prices(params decimal[] perHour) =>
        perHour.Select((p, i) => new SpotPrice(Scope, "m5.large", "eu-west-1a", "Linux/UNIX", p, Make.Now.AddDays(-i))).ToList();

    private static PriceQuote? OnDemand(string region, string type) => PriceBook.Bundled.Quote(region, type);

    [Fact]
    public void Evaluate_StatelessByTag_StablePriceFarBelowOnDemand_RecommendsSpotWithVeryLowRisk()
    {
        var r = SpotRules.Evaluate(Worker("portalops:stateless=true"), Prices(0.035m, 0.036m, 0.035m), OnDemand);

        Assert.NotNull(r);
        Assert.Equal(RecommendationKind.Spot, r.Kind);
        Assert.Equal(decimal.Round((0.107m - 0.035m) * 730m, 2), r.MonthlySaving);
        Assert.Equal(Confidence.Medium, r.Confidence); // tagged, not in a group: relaunching is on the owner
        Assert.Contains(r.Evidence, e => e.Contains("Interruption risk < 5 %", StringComparison.Ordinal));
        Assert.Contains(r.Evidence, e => e.Contains("tagged portalops:stateless=true", StringComparison.Ordinal));
        Assert.Contains(r.Evidence, e => e.Contains("bundled table", StringComparison.Ordinal));
        Assert.False(r.Applicable);
    }

    [Fact]
    public void Evaluate_MemberOfAnAutoScalingGroup_IsStateless_AndHighConfidence()
    {
        var r = SpotRules.Evaluate(Worker("aws:autoscaling:groupName=prod-workers"), Prices(0.03m, 0.03m), OnDemand);

        Assert.Equal(Confidence.High, r!.Confidence);
        Assert.Contains(r.Evidence, e => e.Contains("member of Auto Scaling group prod-workers", StringComparison.Ordinal));
        Assert.Contains(r.Evidence, e => e.Contains("mixed instances policy", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_NotStateless_NoRecommendation() =>
        Assert.Null(SpotRules.Evaluate(Worker("stateless=false", "app=db"), Prices(0.03m), OnDemand));

    [Fact]
    public void Evaluate_AlreadySpot_NoRecommendation() =>
        Assert.Null(SpotRules.Evaluate(Worker("stateless=true", "portalops:lifecycle=spot"), Prices(0.03m), OnDemand));

    [Fact]
    public void Evaluate_SpotCloseToOnDemand_NoRecommendation() =>
        // 0.09 / 0.107 = 84 %: capacity is scarce and the saving small.
        Assert.Null(SpotRules.Evaluate(Worker("stateless=true"), Prices(0.09m, 0.09m), OnDemand));

    [Fact]
    public void Evaluate_VolatilePrice_RaisesTheRisk_AndLowersConfidence()
    {
        var r = SpotRules.Evaluate(Worker("stateless=true"), Prices(0.03m, 0.07m, 0.05m, 0.08m, 0.04m), OnDemand);

        Assert.NotNull(r);
        Assert.Equal(Confidence.Low, r.Confidence);
        Assert.DoesNotContain(r.Evidence, e => e.Contains("risk < 5 %", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_NoPriceInItsZone_UsesTheCheapestZone()
    {
        var prices = new List<SpotPrice>
        {
            new(Scope, "m5.large", "eu-west-1b", "Linux/UNIX", 0.04m, Make.Now),
            new(Scope, "m5.large", "eu-west-1c", "Linux/UNIX", 0.03m, Make.Now),
        };

        var r = SpotRules.Evaluate(Worker("stateless=true"), prices, OnDemand);

        Assert.Contains(r!.Evidence, e => e.Contains("in eu-west-1c", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.3, 0.01, InterruptionRisk.VeryLow)]
    [InlineData(0.5, 0.1, InterruptionRisk.Low)]
    [InlineData(0.65, 0.2, InterruptionRisk.Medium)]
    [InlineData(0.75, 0.3, InterruptionRisk.High)]
    [InlineData(0.3, 0.5, InterruptionRisk.VeryHigh)]
    public void RiskOf_Bands(double ratio, double variation, InterruptionRisk expected) =>
        Assert.Equal(expected, SpotRules.RiskOf((decimal)ratio, variation));
}
