using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Aws;

namespace PortalOps.Jobs.Tests.Aws;

public sealed class AwsOptionsValidatorTests
{
    private static AwsOptions Valid() => new()
    {
        ServiceUrl = "http://127.0.0.1:5000",
        Accounts = [new AwsAccountOptions { Id = "123456789012", RoleArn = "arn:aws:iam::123456789012:role/PortalOps", ExternalId = "portalops-1", Regions = ["eu-west-1", "us-east-1"] }],
    };

    private static IReadOnlyList<string> Errors(AwsOptions options) =>
        new AwsOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_GoodSection_Succeeds() => Assert.Empty(Errors(Valid()));

    [Fact]
    public void Validate_RoleArnNotAnArn_NamesTheKey()
    {
        var o = Valid();
        o.Accounts[0].RoleArn = "PortalOps";
        Assert.Contains("Aws:Accounts:0:RoleArn is not an ARN", Errors(o));
    }

    [Fact]
    public void Validate_RoleInAnotherAccount_NamesBothAccounts()
    {
        var o = Valid();
        o.Accounts[0].RoleArn = "arn:aws:iam::210987654321:role/PortalOps";
        Assert.Contains("Aws:Accounts:0:RoleArn names account 210987654321, not 123456789012", Errors(o));
    }

    [Fact]
    public void Validate_BadAccountIdRegionAndUrl_NameEachKey()
    {
        var o = Valid();
        o.ServiceUrl = "localhost:5000";
        o.Accounts.Add(new AwsAccountOptions { Id = "12345", Regions = ["eu-west-1", "Frankfurt"] });
        o.Accounts.Add(new AwsAccountOptions { Id = "123456789012", ExternalId = "x1" });
        var errors = Errors(o);
        Assert.Contains(errors, e => e.StartsWith("Aws:ServiceUrl is not an http(s) URL", StringComparison.Ordinal));
        Assert.Contains("Aws:Accounts:1:Id must be a 12-digit AWS account id", errors);
        Assert.Contains("Aws:Accounts:1:Regions:1 is not an AWS region name: 'Frankfurt'", errors);
        Assert.Contains("Aws:Accounts:2:Id repeats account 123456789012", errors);
        Assert.Contains("Aws:Accounts:2:Regions must name at least one region", errors);
        Assert.Contains("Aws:Accounts:2:ExternalId needs Aws:Accounts:2:RoleArn", errors);
    }

    [Fact]
    public void Validate_DeadlineAndRetryPeriodOutOfRange_NameEachKey()
    {
        var o = Valid();
        o.ReadDeadlineSeconds = 0;
        o.FailedRegionRetrySeconds = -1;
        var errors = Errors(o);
        Assert.Contains("Aws:ReadDeadlineSeconds must be more than 0 and at most 600", errors);
        Assert.Contains("Aws:FailedRegionRetrySeconds must be between 0 and 3600", errors);
    }

    [Fact]
    public void Validate_UnknownRegionAgainstRealAws_IsRejected()
    {
        var o = Valid();
        o.ServiceUrl = null;
        o.Accounts[0].Regions = ["eu-west-1", "xx-west-9"];
        if (Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 })
        {
            return;
        }

        Assert.Contains("Aws:Accounts:0:Regions:1 is not a region AWS knows: 'xx-west-9'", Errors(o));
    }

    [Fact]
    public void EffectiveServiceUrl_OnlyEnvironmentSet_UsesAwsEndpointUrl()
    {
        var before = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        try
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
            Assert.Equal("http://127.0.0.1:4566", new AwsOptions().EffectiveServiceUrl);
            Assert.Equal("http://127.0.0.1:5000", new AwsOptions { ServiceUrl = "http://127.0.0.1:5000" }.EffectiveServiceUrl);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", before);
        }
    }

    [Fact]
    public void AddAwsProvider_NoAccounts_RegistersNothing()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Aws:ServiceUrl"] = "http://127.0.0.1:1" }).Build();
        Assert.False(services.AddAwsProvider(configuration));
        Assert.Empty(services);
    }

    [Fact]
    public void AddAwsProvider_InvalidSection_FailsAtStartWithTheKey()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Aws:Accounts:0:Id"] = "123456789012",
            ["Aws:Accounts:0:RoleArn"] = "not-an-arn",
            ["Aws:Accounts:0:Regions:0"] = "eu-west-1",
        }).Build();
        Assert.True(services.AddAwsProvider(configuration));
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AwsOptions>>().Value);
        Assert.Contains("Aws:Accounts:0:RoleArn is not an ARN", error.Message, StringComparison.Ordinal);
    }
}
