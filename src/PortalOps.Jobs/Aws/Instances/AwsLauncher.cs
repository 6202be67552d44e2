using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>
/// RunInstances that never launches twice for one idempotency key: the key becomes the EC2 <c>ClientToken</c>
/// and a <see cref="LaunchTokenTag"/> tag. Before the first try and before every retry the launcher looks for
/// instances carrying the tag, so a launch whose answer was lost (a time-out) is found rather than repeated,
/// even on endpoints that do not honour client tokens.
/// </summary>
public sealed class AwsLauncher(AwsClients clients, Protocol.AwsProtocolClient core, ILogger<AwsLauncher> logger, IFleetEvents? events = null, AwsInventory? inventory = null) : IInstanceLauncher
{
    public const string LaunchTokenTag = "portalops:launch-token";

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        try
        {
            return await LaunchCoreAsync(request, idempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e) when (LaunchErrors.IsRefusal(e.ErrorCode))
        {
            // The launch cannot work as asked: say why in plain words, at the wizard field it concerns.
            logger.LogWarning("Launch refused in {Account}/{Region}: {Code} {Message} (request {RequestId})", request.AccountId, request.Region, e.ErrorCode, e.Message, e.RequestId);
            throw new LaunchRefusedException(e.ErrorCode, $"{LaunchErrors.Explain(e.ErrorCode, e.Message).Text} [{e.ErrorCode}: {e.Message}] request id {e.RequestId}", e.RequestId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = AwsFailure.From(e, request.AccountId, request.Region, "RunInstances");
            logger.LogError("Launch failed: {Failure}", failure.ToString());
            throw new AwsOperationException(failure, e);
        }
    }

    /// <summary>RunInstances with <c>DryRun</c>: EC2 answers DryRunOperation when the launch would be allowed, and otherwise says why.</summary>
    public async Task<LaunchCheck> DryRunAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            var ec2 = clients.Ec2(request.AccountId, request.Region);
            var root = await RootDeviceAsync(ec2, request, cancellationToken).ConfigureAwait(false);
            await ec2.RunInstancesAsync(Build(request, ClientToken(Guid.NewGuid().ToString("N")), dryRun: true, root), cancellationToken).ConfigureAwait(false);
            return new LaunchCheck(true, "EC2 accepted the dry run: the launch is allowed.");
        }
        catch (AmazonServiceException e) when (e.ErrorCode == "DryRunOperation")
        {
            return new LaunchCheck(true, "Request would have succeeded (DryRunOperation): the launch is allowed.", e.ErrorCode, e.RequestId);
        }
        catch (AmazonServiceException e)
        {
            return new LaunchCheck(false, $"{LaunchErrors.Explain(e.ErrorCode, e.Message).Text} [{e.ErrorCode}]", e.ErrorCode, e.RequestId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new LaunchCheck(false, AwsFailure.From(e, request.AccountId, request.Region, "RunInstances").ToString());
        }
    }

    private async Task<LaunchResult> LaunchCoreAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        var token = ClientToken(idempotencyKey);
        var root = await RootDeviceAsync(clients.Ec2(request.AccountId, request.Region), request, cancellationToken).ConfigureAwait(false);
        var options = clients.Options;
        var once = clients.Ec2NoRetry(request.AccountId, request.Region);
        var retry = new Protocol.AwsRetryPolicy(options.MaxAttempts);
        Exception? last = null;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if (await FindLaunchedAsync(request, token, cancellationToken).ConfigureAwait(false) is { Count: > 0 } existing)
            {
                logger.LogInformation("Launch {Token} in {Account}/{Region} already made {Instances}", token, request.AccountId, request.Region, string.Join(",", existing.Select(e => e.InstanceId)));
                await TrackAsync(existing, cancellationToken).ConfigureAwait(false);
                return new LaunchResult(existing, null, Replayed: true);
            }

            try
            {
                if (attempt == 1 && options.DryRunFirst)
                {
                    await DryRunAsync(once, request, token, root, cancellationToken).ConfigureAwait(false);
                }

                var response = await once.RunInstancesAsync(Build(request, token, dryRun: false, root), cancellationToken).ConfigureAwait(false);
                var refs = (response.Reservation?.Instances ?? []).Select(i => new InstanceRef(request.AccountId, request.Region, i.InstanceId)).ToList();
                await TrackAsync(refs, cancellationToken).ConfigureAwait(false);

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
                if (!Answered(e) && await AwaitLaunchedAsync(request, token, SettleWindow(options), cancellationToken).ConfigureAwait(false) is { Count: > 0 } late)
                {
                    logger.LogInformation("Launch {Token} in {Account}/{Region} went through after all: {Instances}", token, request.AccountId, request.Region, string.Join(",", late.Select(l => l.InstanceId)));
                    await TrackAsync(late, cancellationToken).ConfigureAwait(false);
                    return new LaunchResult(late, null, Replayed: true);
                }
            }
        }

        throw last ?? new InvalidOperationException("Launch did not run.");
    }

    /// <summary>
    /// How long a launch whose answer never came is looked for before it is sent again: the request may still be on its way or
    /// inside EC2, and DescribeInstances is eventually consistent. Three request timeouts, between 5 and 20 seconds.
    /// </summary>
    internal static TimeSpan SettleWindow(AwsOptions options) => TimeSpan.FromSeconds(Math.Clamp(3 * options.RequestTimeoutSeconds, 5, 20));

    /// <summary>Looks for the launch's instances every half second until they show or the window closes; empty when they did not.</summary>
    private async Task<List<InstanceRef>> AwaitLaunchedAsync(LaunchRequest request, string token, TimeSpan window, CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + window;
        while (true)
        {
            try
            {
                if (await FindLaunchedAsync(request, token, cancellationToken).ConfigureAwait(false) is { Count: > 0 } found)
                {
                    return found;
                }
            }
            catch (Exception e) when (Retryable(e) && !cancellationToken.IsCancellationRequested)
            {
                // A look that fails is a look that did not see it: try again within the window.
            }

            if (DateTimeOffset.UtcNow >= until)
            {
                return [];
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when EC2 answered with a refusal (throttled, or another 4xx): nothing was launched. A timeout, a lost connection or a
    /// server error is no such answer — the instance may exist.
    /// </summary>
    private static bool Answered(Exception e) => e switch
    {
        AmazonServiceException s => (int)s.StatusCode is >= 400 and < 500,
        AmazonClientException c => c.InnerException is not null && Answered(c.InnerException),
        _ => false,
    };

    /// <summary>Puts new instances in the fleet cache at once (a live lookup each), so lists show them before the next refresh, and tells open pages.</summary>
    private async Task TrackAsync(IReadOnlyList<InstanceRef> made, CancellationToken cancellationToken)
    {
        foreach (var r in made)
        {
            if (inventory is not null)
            {
                await inventory.FindAsync(r, cancellationToken).ConfigureAwait(false);
            }

            events?.Publish(r);
        }
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

    /// <summary>The image's root device name, which a root volume mapping must use; null when no root volume is asked for or the image is unknown (EC2 will say so).</summary>
    private static async Task<string?> RootDeviceAsync(IAmazonEC2 ec2, LaunchRequest request, CancellationToken cancellationToken)
    {
        if (request.RootVolume is null)
        {
            return null;
        }

        try
        {
            var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [request.ImageId] }, cancellationToken).ConfigureAwait(false);
            return images.Images?.FirstOrDefault()?.RootDeviceName;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode.StartsWith("InvalidAMIID", StringComparison.Ordinal))
        {
            return null;
        }
    }

    private static async Task DryRunAsync(IAmazonEC2 ec2, LaunchRequest request, string token, string? root, CancellationToken cancellationToken)
    {
        try
        {
            await ec2.RunInstancesAsync(Build(request, token, dryRun: true, root), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "DryRunOperation")
        {
        }
    }

    private static RunInstancesRequest Build(LaunchRequest request, string token, bool dryRun, string? rootDevice)
    {
        var tags = new List<Tag> { new(LaunchTokenTag, token) };
        if (!string.IsNullOrWhiteSpace(request.Name))
        {
            tags.Add(new Tag("Name", request.Name));
        }

        tags.AddRange((request.Tags ?? new Dictionary<string, string>()).Where(t => t.Key != "Name" && t.Key != LaunchTokenTag).Select(t => new Tag(t.Key, t.Value)));
        var run = new RunInstancesRequest
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
            MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = request.RequireImdsV2 ? HttpTokensState.Required : HttpTokensState.Optional, HttpEndpoint = InstanceMetadataEndpointState.Enabled },
        };
        if (!string.IsNullOrWhiteSpace(request.AvailabilityZone) && string.IsNullOrWhiteSpace(request.SubnetId))
        {
            run.Placement = new Placement { AvailabilityZone = request.AvailabilityZone };
        }

        if (request.RootVolume is { } volume && rootDevice is not null)
        {
            run.BlockDeviceMappings =
            [
                new BlockDeviceMapping
                {
                    DeviceName = rootDevice,
                    Ebs = new EbsBlockDevice { VolumeSize = volume.SizeGiB, VolumeType = VolumeType.FindValue(volume.VolumeType), Encrypted = volume.Encrypted, DeleteOnTermination = true },
                },
            ];
            if (tags.Any(t => t.Key != LaunchTokenTag))
            {
                run.TagSpecifications.Add(new TagSpecification { ResourceType = ResourceType.Volume, Tags = tags.Where(t => t.Key != LaunchTokenTag).ToList() });
            }
        }

        if (request.Hibernation)
        {
            run.HibernationOptions = new HibernationOptionsRequest { Configured = true };
        }

        if (request.TerminationProtection)
        {
            run.DisableApiTermination = true;
        }

        return run;
    }

    private static bool Retryable(Exception e) => e switch
    {
        AmazonServiceException s => Protocol.AwsRetryPolicy.IsThrottlingCode(s.ErrorCode) || (int)s.StatusCode >= 500,
        HttpRequestException or TimeoutException or TaskCanceledException or IOException => true,
        AmazonClientException c => c.InnerException is not null && Retryable(c.InnerException),
        _ => false,
    };
}
