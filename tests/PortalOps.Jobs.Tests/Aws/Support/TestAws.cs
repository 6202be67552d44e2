using Amazon.Runtime;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Credentials;

namespace PortalOps.Jobs.Tests.Aws.Support;

/// <summary>Builds the AWS plumbing by hand, for tests that do not need the whole container.</summary>
public static class TestAws
{
    public const string AccountId = MotoServer.AccountId;

    public static AwsOptions Options(Uri url, params string[] regions) => new()
    {
        ServiceUrl = url.ToString(),
        Accounts = [new AwsAccountOptions { Id = AccountId, DisplayName = "Test", Regions = regions.Length == 0 ? ["us-east-1"] : [.. regions] }],
    };

    public static AwsClients Clients(AwsOptions options) => new(Microsoft.Extensions.Options.Options.Create(options), new FixedCredentials());

    /// <summary>The protocol client the streaming readers use, with the host's default attempts.</summary>
    public static PortalOps.Jobs.Aws.Protocol.AwsProtocolClient Core() =>
        new(new HttpClient() { Timeout = Timeout.InfiniteTimeSpan }, new PortalOps.Jobs.Aws.Protocol.AwsRetryPolicy(3, AttemptTimeout: TimeSpan.FromSeconds(60)));

    private sealed class FixedCredentials : IAwsCredentialsSource
    {
        private readonly AWSCredentials credentials = new BasicAWSCredentials("testing", "testing");

        public AWSCredentials For(AwsAccountOptions account) => credentials;
    }
}
