using System.Net;
using Amazon.Runtime;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws;

/// <summary>What went wrong in one AWS call, in words a person can act on, with the request id for AWS support.</summary>
public sealed record AwsFailure(
    string AccountId,
    string Region,
    string Operation,
    string Kind,
    string? ErrorCode,
    string Message,
    string? RequestId)
{
    public override string ToString() =>
        $"{Kind} in account {AccountId}, region {Region} ({Operation}): {Message}"
        + (ErrorCode is null ? "" : $" [{ErrorCode}]")
        + (RequestId is null ? "" : $" request id {RequestId}");

    /// <summary>Classifies an exception from the SDK or from our own client.</summary>
    public static AwsFailure From(Exception error, string accountId, string region, string operation)
    {
        var (code, message, requestId, status) = error switch
        {
            AmazonServiceException s => (s.ErrorCode, s.Message, s.RequestId, (int)s.StatusCode),
            AwsServiceException s => (s.ErrorCode, s.ErrorMessage, s.RequestId, (int)s.StatusCode),
            _ => ((string?)null, error.Message, (string?)null, 0),
        };
        if (string.IsNullOrEmpty(requestId))
        {
            requestId = null;
        }

        var kind = Classify(error, code, status);
        var text = kind switch
        {
            "Access denied" => $"the credentials for this account may not call {operation}; grant it in the IAM policy (see docs/aws.md). {message}",
            "Expired credentials" => $"the credentials have expired; renew the session or the role's source credentials. {message}",
            "Unreachable endpoint" => $"the AWS endpoint did not answer: {Innermost(error).Message}",
            "Timed out" => error is TimeoutException { Message.Length: > 0 } timeout ? timeout.Message : "the call did not complete in time.",
            "No credentials" => "no AWS credentials were found in the environment, profile or instance role. " + message,
            "Unknown region" => $"the region is not enabled for this account or does not exist. {message}",
            _ => message,
        };
        return new AwsFailure(accountId, region, operation, kind, code, text, requestId);
    }

    private static string Classify(Exception error, string? code, int status) => code switch
    {
        "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" or "UnauthorizedAccess" or "AuthFailure" => "Access denied",
        "ExpiredToken" or "ExpiredTokenException" or "RequestExpired" or "InvalidClientTokenId" => "Expired credentials",
        "OptInRequired" or "UnrecognizedClientException" when status is 401 or 403 => "Unknown region",
        "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "TooManyRequestsException" => "Throttled",
        not null => "AWS error",
        null when error is AmazonClientException && error.Message.Contains("resolve AWS credentials", StringComparison.OrdinalIgnoreCase) => "No credentials",
        null when error is TimeoutException => "Timed out",
        null when Innermost(error) is HttpRequestException or System.Net.Sockets.SocketException => "Unreachable endpoint",
        null when error is TaskCanceledException or TimeoutException || Innermost(error) is TimeoutException => "Timed out",
        null when status == (int)HttpStatusCode.NotFound => "Unknown region",
        _ => "Client error",
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}

/// <summary>An AWS call that failed for good; the message names the account, region and operation and carries the request id.</summary>
public sealed class AwsOperationException(AwsFailure failure, Exception inner) : Exception(failure.ToString(), inner)
{
    public AwsFailure Failure { get; } = failure;
}
