using System.Net;

namespace PortalOps.Jobs.Aws.Protocol;

/// <summary>
/// The SDK's standard retry mode: a bounded number of attempts, exponential backoff with full jitter,
/// throttling and transient errors retried, everything else returned at once.
/// </summary>
public sealed record AwsRetryPolicy(int MaxAttempts = 3, TimeSpan? BaseDelay = null, TimeSpan? MaxDelay = null, TimeSpan? AttemptTimeout = null)
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable", "IDPCommunicationError",
    };

    public TimeSpan Base => BaseDelay ?? TimeSpan.FromMilliseconds(100);

    public TimeSpan Max => MaxDelay ?? TimeSpan.FromSeconds(20);

    public TimeSpan Timeout => AttemptTimeout ?? TimeSpan.FromSeconds(30);

    public static bool IsThrottlingCode(string? code) => code is not null && ThrottlingCodes.Contains(code);

    public static bool IsRetryable(AwsServiceException e) =>
        e.IsThrottling || TransientCodes.Contains(e.ErrorCode) || (int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests;

    /// <summary>Delay before attempt <paramref name="attempt"/> + 1 (attempt counts from 1): random in [0, min(max, base × 2^attempt)].</summary>
    public TimeSpan Backoff(int attempt, double random)
    {
        var ceiling = Math.Min(Max.TotalMilliseconds, Base.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(ceiling * random);
    }
}
