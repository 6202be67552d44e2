using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Aws.Backups;

/// <summary>
/// Asks KMS (DescribeKey, in the DR account and region) whether a key can encrypt EBS copies there: it exists, is enabled, and is a
/// symmetric encryption key. Access denied is reported as such, since EBS would be refused the same way.
/// </summary>
public sealed class AwsKmsKeys(AwsClients clients, ILogger<AwsKmsKeys> logger) : IKmsKeys
{
    public async Task<string?> ProblemAsync(CloudScope scope, string keyId, CancellationToken cancellationToken = default)
    {
        try
        {
            var key = (await clients.Kms(scope.AccountId, scope.Region).DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false)).KeyMetadata;
            if (key.KeyState != KeyState.Enabled)
            {
                return $"Key {keyId} in {scope.Region} is {key.KeyState?.Value ?? "not enabled"}; EBS can only encrypt with an enabled key.";
            }

            if (key.KeyUsage is { } usage && usage != KeyUsageType.ENCRYPT_DECRYPT)
            {
                return $"Key {keyId} in {scope.Region} is for {usage.Value}; EBS needs a symmetric encryption key.";
            }

            if (key.KeySpec is { } spec && spec != KeySpec.SYMMETRIC_DEFAULT)
            {
                return $"Key {keyId} in {scope.Region} is {spec.Value}; EBS needs a symmetric (SYMMETRIC_DEFAULT) key.";
            }

            return null;
        }
        catch (NotFoundException)
        {
            return $"Key {keyId} does not exist in {scope.Region} (account {scope.AccountId}); a copy there must be encrypted with a key in that region.";
        }
        catch (AmazonKeyManagementServiceException e) when (e.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            return $"PortalOps may not use key {keyId} in {scope.Region} (kms:DescribeKey denied, request {e.RequestId}); allow it, or choose another key.";
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            var failure = AwsFailure.From(e, scope.AccountId, scope.Region, "DescribeKey");
            logger.LogWarning("{Failure}", failure.ToString());
            throw new BackupCloudException(failure.ToString(), failure.ErrorCode, failure.RequestId, e);
        }
    }
}
