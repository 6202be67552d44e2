using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Aws.Instances;
using PortalOps.Jobs.Aws.Monitoring;

namespace PortalOps.Jobs.Aws.Patching;

/// <summary>
/// The live state and status checks of a wave's instances for the patch health gate: EC2 DescribeInstanceStatus with
/// IncludeAllInstances (so stopped and terminated instances are reported too), up to 100 ids a call per account and region.
/// EC2 refuses the whole call when one id is unknown (InvalidInstanceID.NotFound, e.g. terminated over an hour ago); then each id is
/// asked alone and the unknown ones are left out of the answer, which the gate reads as gone.
/// </summary>
public sealed class AwsInstanceStatusReader(AwsClients clients) : IInstanceStatusReader
{
    public const int IdsPerCall = 100;

    public async Task<IReadOnlyList<LiveInstanceStatus>> ReadAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var statuses = new List<LiveInstanceStatus>();
        foreach (var scope in instances.Distinct().GroupBy(i => new CloudScope(i.AccountId, i.Region)))
        {
            var ec2 = clients.Ec2(scope.Key.AccountId, scope.Key.Region);
            foreach (var chunk in scope.Chunk(IdsPerCall))
            {
                try
                {
                    statuses.AddRange(await DescribeAsync(ec2, chunk, cancellationToken).ConfigureAwait(false));
                }
                catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidInstanceID.NotFound" && chunk.Length > 1)
                {
                    foreach (var one in chunk)
                    {
                        statuses.AddRange(await DescribeOneAsync(ec2, one, scope.Key, cancellationToken).ConfigureAwait(false));
                    }
                }
                catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidInstanceID.NotFound")
                {
                }
                catch (Exception e) when (e is AmazonServiceException or HttpRequestException)
                {
                    throw new InvalidOperationException(AwsFailure.From(e, scope.Key.AccountId, scope.Key.Region, "DescribeInstanceStatus").ToString(), e);
                }
            }
        }

        return statuses;
    }

    private static async Task<IReadOnlyList<LiveInstanceStatus>> DescribeOneAsync(IAmazonEC2 ec2, InstanceRef instance, CloudScope scope, CancellationToken cancellationToken)
    {
        try
        {
            return await DescribeAsync(ec2, [instance], cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidInstanceID.NotFound")
        {
            return [];
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException)
        {
            throw new InvalidOperationException(AwsFailure.From(e, scope.AccountId, scope.Region, "DescribeInstanceStatus").ToString(), e);
        }
    }

    private static async Task<IReadOnlyList<LiveInstanceStatus>> DescribeAsync(IAmazonEC2 ec2, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken)
    {
        var wanted = instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var r = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = wanted.Keys.ToList(), IncludeAllInstances = true }, cancellationToken)
            .ConfigureAwait(false);
        return (r.InstanceStatuses ?? [])
            .Where(s => wanted.ContainsKey(s.InstanceId))
            .Select(s => new LiveInstanceStatus(wanted[s.InstanceId], Ec2Mapping.State(s.InstanceState?.Name),
                CloudWatchMetricsSource.Map(s.SystemStatus?.Status?.Value), CloudWatchMetricsSource.Map(s.Status?.Status?.Value)))
            .ToList();
    }
}
