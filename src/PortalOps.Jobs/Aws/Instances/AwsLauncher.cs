using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>
/// RunInstances that never launches twice for one idempotency key: the key becomes the EC2 <c>ClientToken</c>
/// and a <see cref="LaunchTokenTag"/> tag. Before the first try and before every retry the launcher looks for
/// instances carrying the tag, so a launch whose answer was lost (a time-out) is found rather than repeated,
/// even on endpoints that do not honour client tokens.
/// </summary>
public sealed class AwsLauncher(AwsClients clients, Protocol.AwsProtocolClient core, ILogger<AwsLauncher> logger, IFleetEvents? events = null) : IInstanceLauncher
{
    public const string LaunchTokenTag = "portalops:launch-token";

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        try
        {
            return await LaunchCoreAsync(request, idempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = AwsFailure.From(e, request.AccountId, request.Region, "RunInstances");
            logger.LogError("Launch failed: {Failure}", failure.ToString());
            throw new AwsOperationException(failure, e);
        }
    }

    private async Task<LaunchResult> LaunchCoreAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        var token = ClientToken(idempotencyKey);
        var options = clients.Options;
        var once = clients.Ec2NoRetry(request.AccountId, request.Region);
        var retry = new Protocol.AwsRetryPolicy(options.MaxAttempts);
        Exception? last = null;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if (await FindLaunchedAsync(request, token, cancellationToken).ConfigureAwait(false) is { Count: > 0 } existing)
            {
                logger.LogInformation("Launch {Token} in {Account}/{Region} already made {Instances}", token, request.AccountId, request.Region, string.Join(",", existing.Select(e => e.InstanceId)));
                return new LaunchResult(existing, null, Replayed: true);
            }

            try
            {
                if (attempt == 1 && options.DryRunFirst)
                {
                    await DryRunAsync(once, request, token, cancellationToken).ConfigureAwait(false);
                }

                var response = await once.RunInstancesAsync(Build(request, token, dryRun: false), cancellationToken).ConfigureAwait(false);
                var refs = (response.Reservation?.Instances ?? []).Select(i => new InstanceRef(request.AccountId, request.Region, i.InstanceId)).ToList();
                foreach (var r in refs)
                {
                    events?.Publish(r);
                }

                logger.LogInformation("Launched {Instances} in {Account}/{Region} (token {Token}, request {RequestId})",
                    string.Join(",", refs.Select(r => r.InstanceId)), request.AccountId, request.Region, token, response.ResponseMetadata.RequestId);
                return new LaunchResult(refs, response.ResponseMetadata.RequestId, Replayed: false);
            }
            catch (Exception e) when (attempt < options.MaxAttempts && Retryable(e) && !cancellationToken.IsCancellationRequested)
            {
                last = e;
                logger.LogWarning("Launch {Token} attempt {Attempt} in {Account}/{Region} failed ({Error}); checking before retrying",
                    token, attempt, request.AccountId, request.Region, e is AmazonServiceException s ? s.ErrorCode : e.GetType().Name);
                await Task.Delay(retry.Backoff(attempt, Random.Shared.NextDouble()), cancellationToken).ConfigureAwait(false);
            }
        }

        throw last ?? new InvalidOperationException("Launch did not run.");
    }

    /// <summary>EC2 client tokens are at most 64 ASCII characters; longer keys are hashed.</summary>
    internal static string ClientToken(string key) =>
        key.Length <= 64 && key.All(c => c is > ' ' and < (char)127)
            ? key
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Instances already carrying this launch's token (EC2 Query filter syntax: <c>Filter.N.Name</c>, <c>Filter.N.Value.M</c>).</summary>
    private async Task<List<InstanceRef>> FindLaunchedAsync(LaunchRequest request, string token, CancellationToken cancellationToken)
    {
        var endpoint = clients.Endpoint(request.AccountId, request.Region, Protocol.AwsServiceDescriptor.Ec2);
        var parameters = new Protocol.QueryParameters().Add("Filter.1.Name", "tag:" + LaunchTokenTag).Add("Filter.1.Value.1", token);
        var (instances, _, _) = await core.QueryRawAsync(endpoint, "DescribeInstances", parameters,
            (xml, _) => DescribeInstancesReader.Read(xml, request.AccountId, request.Region), cancellationToken).ConfigureAwait(false);
        return instances.Select(i => i.Ref).ToList();
    }

    private static async Task DryRunAsync(IAmazonEC2 ec2, LaunchRequest request, string token, CancellationToken cancellationToken)
    {
        try
        {
            await ec2.RunInstancesAsync(Build(request, token, dryRun: true), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "DryRunOperation")
        {
        }
    }

    private static RunInstancesRequest Build(LaunchRequest request, string token, bool dryRun)
    {
        var tags = new List<Tag> { new(LaunchTokenTag, token) };
        if (!string.IsNullOrWhiteSpace(request.Name))
        {
            tags.Add(new Tag("Name", request.Name));
        }

        tags.AddRange((request.Tags ?? new Dictionary<string, string>()).Where(t => t.Key != "Name" && t.Key != LaunchTokenTag).Select(t => new Tag(t.Key, t.Value)));
        return new RunInstancesRequest
        {
            ImageId = request.ImageId,
            InstanceType = InstanceType.FindValue(request.InstanceType),
            MinCount = request.Count,
            MaxCount = request.Count,
            ClientToken = token,
            DryRun = dryRun,
            KeyName = request.KeyName,
            SubnetId = request.SubnetId,
            SecurityGroupIds = request.SecurityGroupIds?.ToList(),
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = tags }],
        };
    }

    private static bool Retryable(Exception e) => e switch
    {
        AmazonServiceException s => Protocol.AwsRetryPolicy.IsThrottlingCode(s.ErrorCode) || (int)s.StatusCode >= 500,
        HttpRequestException or TimeoutException or TaskCanceledException or IOException => true,
        AmazonClientException c => c.InnerException is not null && Retryable(c.InnerException),
        _ => false,
    };
}
