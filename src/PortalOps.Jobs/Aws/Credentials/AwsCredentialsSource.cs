using System.Collections.Concurrent;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Aws.Credentials;

/// <summary>Hands out credentials per account: the default chain, or an assume-role session made from it.</summary>
public interface IAwsCredentialsSource
{
    AWSCredentials For(AwsAccountOptions account);
}

/// <summary>
/// Default chain (environment, profile, container or instance role) for the base identity; one cached,
/// self-refreshing assume-role session per account that names a role. Nothing is written anywhere.
/// </summary>
public sealed class AwsCredentialsSource(IOptions<AwsOptions> options, ILoggerFactory loggers) : IAwsCredentialsSource, IDisposable
{
    private readonly ConcurrentDictionary<string, AWSCredentials> sessions = new(StringComparer.Ordinal);
    private readonly Lazy<AWSCredentials> baseCredentials = new(() => DefaultAWSCredentialsIdentityResolver.GetCredentials(new AmazonSecurityTokenServiceConfig()), LazyThreadSafetyMode.PublicationOnly);

    public AWSCredentials For(AwsAccountOptions account) =>
        string.IsNullOrEmpty(account.RoleArn)
            ? baseCredentials.Value
            : sessions.GetOrAdd(account.Id, _ => new AssumeRoleSession(
                () => baseCredentials.Value,
                account,
                options.Value,
                loggers.CreateLogger<AssumeRoleSession>()));

    public void Dispose()
    {
        foreach (var s in sessions.Values.OfType<IDisposable>())
        {
            s.Dispose();
        }
    }
}

/// <summary>
/// An assume-role session that the SDK refreshes itself five minutes before it expires
/// (<see cref="RefreshingAWSCredentials.PreemptExpiryTime"/>); STS is reached through the same endpoint as every other client.
/// </summary>
internal sealed class AssumeRoleSession : RefreshingAWSCredentials
{
    private readonly Func<AWSCredentials> source;
    private readonly AwsAccountOptions account;
    private readonly AwsOptions options;
    private readonly ILogger logger;

    public AssumeRoleSession(Func<AWSCredentials> source, AwsAccountOptions account, AwsOptions options, ILogger logger)
    {
        this.source = source;
        this.account = account;
        this.options = options;
        this.logger = logger;
        PreemptExpiryTime = TimeSpan.FromMinutes(5);
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var region = account.Regions.FirstOrDefault() ?? "us-east-1";
        var config = new AmazonSecurityTokenServiceConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = Math.Max(0, options.MaxAttempts - 1) };
        AwsEndpoints.Apply(config, options, region);
        using var sts = new AmazonSecurityTokenServiceClient(source(), config);
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = account.RoleArn,
            ExternalId = string.IsNullOrEmpty(account.ExternalId) ? null : account.ExternalId,
            RoleSessionName = "portalops-" + account.Id,
            DurationSeconds = 3600,
        }).ConfigureAwait(false);
        var c = response.Credentials;
        logger.LogInformation("Assumed {RoleArn} for account {AccountId} until {Expiration} (request {RequestId})",
            account.RoleArn, account.Id, c.Expiration, response.ResponseMetadata?.RequestId);
        return new CredentialsRefreshState(
            new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
            (c.Expiration ?? DateTime.UtcNow.AddHours(1)).ToUniversalTime());
    }
}

/// <summary>Points an SDK client config at the configured endpoint, or at the region's own.</summary>
public static class AwsEndpoints
{
    public static void Apply(ClientConfig config, AwsOptions options, string region)
    {
        config.Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        if (options.EffectiveServiceUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
    }
}
