using System.Net;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Aws.Costs;

/// <summary>
/// Cost Explorer's purchase recommendations (Reserved Instances for EC2 and Compute Savings Plans; one year, no upfront, 30 days
/// of usage — cached like every Cost Explorer answer) and the active Reserved Instances of a region (EC2 DescribeReservedInstances).
/// An endpoint that does not offer DescribeReservedInstances (AWS's InvalidAction / UnsupportedOperation; an emulator's 500 or 501
/// without an AWS error code, as moto answers) makes the region's reservations unknown (<see cref="ReservationsNotReportedException"/>),
/// not an error; access denied, throttling after the retries and AWS's own InternalError stay errors.
/// </summary>
public sealed class AwsCommitmentSource(ICostExplorerApi costExplorer, AwsClients clients) : ICommitmentSource
{
    public const string Term = "ONE_YEAR";
    public const string Payment = "NO_UPFRONT";

    public async Task<CommitmentAdvice> AdviceAsync(string accountId, CancellationToken cancellationToken = default)
    {
        var reservations = await costExplorer.GetReservationPurchaseRecommendationsAsync(accountId, term: Term, paymentOption: Payment, ct: cancellationToken).ConfigureAwait(false);
        var plans = await costExplorer.GetSavingsPlansPurchaseRecommendationsAsync(accountId, term: Term, paymentOption: Payment, ct: cancellationToken).ConfigureAwait(false);
        return new CommitmentAdvice(
            reservations.Where(r => r.InstanceType is not null && r.Region is not null)
                .Select(r => new ReservationOffer(r.AccountId ?? accountId, r.Region!, r.InstanceType!, r.RecommendedCount, r.EstimatedMonthlySavings, r.UpfrontCost, r.AverageUtilization, Term, Payment))
                .ToList(),
            plans.Select(p => new SavingsPlanOffer(p.AccountId ?? accountId, "COMPUTE_SP", p.HourlyCommitment, p.EstimatedMonthlySavings, p.EstimatedSavingsPercentage, p.UpfrontCost, Term, Payment)).ToList());
    }

    public async Task<IReadOnlyList<ActiveReservation>> ReservationsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ec2 = clients.Ec2(scope.AccountId, scope.Region);
        DescribeReservedInstancesResponse r;
        try
        {
            r = await ec2.DescribeReservedInstancesAsync(new DescribeReservedInstancesRequest { Filters = [new Filter("state", ["active"])] }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e) when (NotOffered(e))
        {
            throw new ReservationsNotReportedException(scope, string.IsNullOrEmpty(e.ErrorCode) ? $"HTTP {(int)e.StatusCode} without an AWS error code" : e.ErrorCode);
        }

        return (r.ReservedInstances ?? [])
            .Select(ri => new ActiveReservation(scope, ri.InstanceType?.Value ?? string.Empty, ri.InstanceCount ?? 0, ri.End))
            .Where(ri => ri.InstanceType.Length > 0 && ri.Count > 0)
            .ToList();
    }

    /// <summary>The endpoint does not offer the operation (as opposed to refusing this caller, or failing).</summary>
    public static bool NotOffered(AmazonServiceException e) =>
        e.ErrorCode is "InvalidAction" or "UnsupportedOperation" or "NotImplemented"
        || (string.IsNullOrEmpty(e.ErrorCode) && e.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.NotImplemented);
}
