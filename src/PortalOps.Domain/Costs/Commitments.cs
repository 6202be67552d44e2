using System.Globalization;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>Cost Explorer's Reserved Instance purchase recommendation for one type in one region.</summary>
public sealed record ReservationOffer(string AccountId, string Region, string InstanceType, int Count, decimal MonthlySaving, decimal Upfront, decimal? AverageUtilization, string Term, string Payment);

/// <summary>Cost Explorer's Savings Plans purchase recommendation for an account.</summary>
public sealed record SavingsPlanOffer(string AccountId, string PlanType, decimal HourlyCommitment, decimal MonthlySaving, decimal SavingsPercent, decimal Upfront, string Term, string Payment);

/// <summary>What Cost Explorer recommends an account buys.</summary>
public sealed record CommitmentAdvice(IReadOnlyList<ReservationOffer> Reservations, IReadOnlyList<SavingsPlanOffer> SavingsPlans);

/// <summary>Reserved Instances the account holds (active), as EC2 DescribeReservedInstances reports them.</summary>
public sealed record ActiveReservation(CloudScope Scope, string InstanceType, int Count, DateTimeOffset? End);

/// <summary>
/// Cost Explorer's purchase recommendations (GetReservationPurchaseRecommendation, GetSavingsPlansPurchaseRecommendation) and
/// the account's active reservations. Cached like every Cost Explorer answer.
/// </summary>
public interface ICommitmentSource
{
    Task<CommitmentAdvice> AdviceAsync(string accountId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ActiveReservation>> ReservationsAsync(CloudScope scope, CancellationToken cancellationToken = default);
}

/// <summary>
/// Per account, region and type: instances running now, reserved, and what that means. <paramref name="ReservationsReported"/> is
/// false where the region's endpoint does not list Reserved Instances: its reservations are unknown, not zero. A region like that
/// with nothing running keeps one row with an empty type, so that it is still said.
/// </summary>
public sealed record CoverageRow(string AccountId, string Region, string InstanceType, int Running, int Reserved, decimal OnDemandMonthlyUncovered, bool ReservationsReported = true)
{
    public int Covered => Math.Min(Running, Reserved);

    /// <summary>Share of the running instances a reservation covers.</summary>
    public double Coverage => Running == 0 ? 0 : Covered / (double)Running;

    /// <summary>Share of the reservations running instances use (unused reservations are paid for nothing).</summary>
    public double Utilization => Reserved == 0 ? 0 : Covered / (double)Reserved;
}

/// <summary>The coverage view of one scan.</summary>
/// <remarks>The totals count only the regions that report their reservations.</remarks>
public sealed record CoverageView(DateOnly Day, IReadOnlyList<CoverageRow> Rows)
{
    private IEnumerable<CoverageRow> Reported => Rows.Where(r => r.ReservationsReported);

    public int Running => Reported.Sum(r => r.Running);

    public int Reserved => Reported.Sum(r => r.Reserved);

    public double Coverage => Running == 0 ? 0 : Reported.Sum(r => r.Covered) / (double)Running;

    public double Utilization => Reserved == 0 ? 0 : Reported.Sum(r => r.Covered) / (double)Reserved;

    /// <summary>The rows with a type (not the marker of a region that does not report its reservations and runs nothing).</summary>
    public IEnumerable<CoverageRow> Types => Rows.Where(r => r.InstanceType.Length > 0);

    /// <summary>Account/region of every region whose endpoint does not report Reserved Instances.</summary>
    public IReadOnlyList<string> Unreported => Rows.Where(r => !r.ReservationsReported).Select(r => $"{r.AccountId}/{r.Region}")
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}

/// <summary>Keeps the latest scan's coverage rows.</summary>
public interface ICostCoverageStore
{
    Task ReplaceAsync(DateOnly day, IReadOnlyList<CoverageRow> rows, CancellationToken cancellationToken = default);

    /// <summary>The rows of these accounts (null: all).</summary>
    Task<CoverageView?> LatestAsync(IReadOnlySet<string>? accounts, CancellationToken cancellationToken = default);
}

/// <summary>Purchase recommendations as <see cref="Recommendation"/>s, and our own coverage and utilization from the fleet. Pure.</summary>
public static class CommitmentRules
{
    public static IEnumerable<Recommendation> Recommendations(CommitmentAdvice advice)
    {
        foreach (var r in advice.Reservations.Where(r => r.MonthlySaving > 0 && r.Count > 0))
        {
            var resource = new InstanceRef(r.AccountId, r.Region, $"ri:{r.InstanceType}");
            yield return new Recommendation(RecommendationKind.ReservedInstances, resource, $"{r.Count} × {r.InstanceType}", new Dictionary<string, string>(),
                null, $"{r.Count} × {r.InstanceType}", r.MonthlySaving, r.AverageUtilization is >= 90 ? Confidence.High : Confidence.Medium,
                [
                    F($"Cost Explorer recommends {r.Count} × {r.InstanceType} in {r.Region}, {Term(r.Term)}, {Payment(r.Payment)}"),
                    r.AverageUtilization is { } u ? F($"Expected utilization {u:0.#} % of the reserved hours (30 days of usage)") : "Expected utilization not given",
                    F($"Saves {r.MonthlySaving:0.00} USD/month; upfront {r.Upfront:0.00} USD"),
                    "How: buy in the EC2 console (Reserved Instances → Purchase) or with ec2:PurchaseReservedInstancesOffering; PortalOps does not buy",
                ]);
        }

        foreach (var p in advice.SavingsPlans.Where(p => p.MonthlySaving > 0 && p.HourlyCommitment > 0))
        {
            var resource = new InstanceRef(p.AccountId, "global", $"sp:{p.PlanType}");
            var commitment = F($"{p.HourlyCommitment:0.###} USD/hour");
            yield return new Recommendation(RecommendationKind.SavingsPlans, resource, $"{PlanName(p.PlanType)} {commitment}", new Dictionary<string, string>(),
                null, commitment, p.MonthlySaving, Confidence.Medium,
                [
                    F($"Cost Explorer recommends a {PlanName(p.PlanType)} of {commitment}, {Term(p.Term)}, {Payment(p.Payment)}"),
                    F($"Saves {p.MonthlySaving:0.00} USD/month ({p.SavingsPercent:0.#} % of the covered on-demand spend); upfront {p.Upfront:0.00} USD"),
                    "A Savings Plan also covers Fargate and Lambda and any instance family or region; Reserved Instances of the same usage are the alternative, not both",
                    "How: buy in the Billing console (Savings Plans → Purchase) or with savingsplans:CreateSavingsPlan; PortalOps does not buy",
                ]);
        }
    }

    /// <summary>
    /// Coverage and utilization from usage: running instances (on demand: not Spot) per account, region and type against the
    /// active reservations of that type there; the uncovered part priced on demand.
    /// </summary>
    /// <remarks>
    /// In the <paramref name="unreported"/> regions (the endpoint does not list reservations) the rows say so instead of counting
    /// zero reservations, and such a region with nothing running keeps one row with an empty type.
    /// </remarks>
    public static IReadOnlyList<CoverageRow> Coverage(IEnumerable<Instance> running, IEnumerable<ActiveReservation> reservations, PriceBook prices, IReadOnlyCollection<CloudScope>? unreported = null)
    {
        var unknown = (unreported ?? []).ToHashSet();
        var usage = running
            .Where(i => i.State == InstanceState.Running && !string.Equals(i.Tags.GetValueOrDefault(SpotRules.LifecycleTag), "spot", StringComparison.OrdinalIgnoreCase))
            .GroupBy(i => (i.AccountId, i.Region, i.InstanceType))
            .ToDictionary(g => g.Key, g => g.Count());
        var reserved = reservations
            .GroupBy(r => (r.Scope.AccountId, r.Scope.Region, r.InstanceType))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        return usage.Keys.Union(reserved.Keys)
            .Select(k =>
            {
                var run = usage.GetValueOrDefault(k);
                var res = reserved.GetValueOrDefault(k);
                var uncovered = Math.Max(0, run - res) * (prices.Monthly(k.Region, k.InstanceType) ?? 0);
                return new CoverageRow(k.AccountId, k.Region, k.InstanceType, run, res, uncovered, !unknown.Contains(new CloudScope(k.AccountId, k.Region)));
            })
            .Concat(unknown.Where(s => !usage.Keys.Any(k => k.AccountId == s.AccountId && k.Region == s.Region))
                .Select(s => new CoverageRow(s.AccountId, s.Region, string.Empty, 0, 0, 0, ReservationsReported: false)))
            .OrderByDescending(r => r.OnDemandMonthlyUncovered).ThenBy(r => r.AccountId, StringComparer.Ordinal).ThenBy(r => r.Region, StringComparer.Ordinal).ThenBy(r => r.InstanceType, StringComparer.Ordinal)
            .ToList();
    }

    private static string PlanName(string type) => type switch
    {
        "EC2_INSTANCE_SP" => "EC2 Instance Savings Plan",
        "SAGEMAKER_SP" => "SageMaker Savings Plan",
        _ => "Compute Savings Plan",
    };

    private static string Term(string term) => term == "THREE_YEARS" ? "3 years" : "1 year";

    private static string Payment(string payment) => payment switch
    {
        "ALL_UPFRONT" => "all upfront",
        "PARTIAL_UPFRONT" => "partial upfront",
        _ => "no upfront",
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
