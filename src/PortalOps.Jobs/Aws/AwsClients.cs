using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Aws.Credentials;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws;

/// <summary>One SDK client per account × region (and service), made on first use and kept: they are thread-safe and pool connections.</summary>
public sealed class AwsClients(IOptions<AwsOptions> options, IAwsCredentialsSource credentials) : IDisposable
{
    private readonly ConcurrentDictionary<(string, string, string), IDisposable> clients = new();

    public AwsOptions Options => options.Value;

    public AwsAccountOptions Account(string accountId) =>
        options.Value.Accounts.FirstOrDefault(a => a.Id == accountId)
        ?? throw new ArgumentException($"Account {accountId} is not configured under {AwsOptions.Section}:Accounts.", nameof(accountId));

    public IAmazonEC2 Ec2(string accountId, string region) =>
        (IAmazonEC2)clients.GetOrAdd((accountId, region, "ec2"), k => new AmazonEC2Client(credentials.For(Account(k.Item1)), Config(new AmazonEC2Config(), k.Item2, retries: true)));

    /// <summary>EC2 without automatic retries, for RunInstances: a launch is retried only after checking that the first try left nothing behind.</summary>
    public IAmazonEC2 Ec2NoRetry(string accountId, string region) =>
        (IAmazonEC2)clients.GetOrAdd((accountId, region, "ec2-once"), k => new AmazonEC2Client(credentials.For(Account(k.Item1)), Config(new AmazonEC2Config(), k.Item2, retries: false)));

    public IAmazonSimpleSystemsManagement Ssm(string accountId, string region) =>
        (IAmazonSimpleSystemsManagement)clients.GetOrAdd((accountId, region, "ssm"), k => new AmazonSimpleSystemsManagementClient(credentials.For(Account(k.Item1)), Config(new AmazonSimpleSystemsManagementConfig(), k.Item2, retries: true)));

    public IAmazonKeyManagementService Kms(string accountId, string region) =>
        (IAmazonKeyManagementService)clients.GetOrAdd((accountId, region, "kms"), k => new AmazonKeyManagementServiceClient(credentials.For(Account(k.Item1)), Config(new AmazonKeyManagementServiceConfig(), k.Item2, retries: true)));

    /// <summary>Where our own protocol client sends a service's calls for an account and region.</summary>
    public AwsEndpoint Endpoint(string accountId, string region, AwsServiceDescriptor service) =>
        new(service, region, ResolveUrl(service, region), credentials.For(Account(accountId)), accountId);

    private Uri ResolveUrl(AwsServiceDescriptor service, string region) =>
        options.Value.EffectiveServiceUrl is { } url
            ? new Uri(url)
            : new Uri(service.Global ? $"https://{service.EndpointPrefix}.{service.GlobalRegion}.amazonaws.com/" : $"https://{service.EndpointPrefix}.{region}.amazonaws.com/");

    private T Config<T>(T config, string region, bool retries)
        where T : ClientConfig
    {
        AwsEndpoints.Apply(config, options.Value, region);
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = retries ? Math.Max(0, options.Value.MaxAttempts - 1) : 0;
        return config;
    }

    public void Dispose()
    {
        foreach (var c in clients.Values)
        {
            c.Dispose();
        }

        clients.Clear();
    }
}
