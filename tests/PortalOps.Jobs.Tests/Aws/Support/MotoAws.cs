using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Jobs.Aws;

namespace PortalOps.Jobs.Tests.Aws.Support;

/// <summary>Builds the AWS provider the way the host does (configuration → <c>AddAwsProvider</c>), pointed at moto or a proxy in front of it.</summary>
public static class MotoAws
{
    public static ServiceProvider Provider(Uri serviceUrl, IDictionary<string, string?>? extra = null, params string[] regions) =>
        Provider(serviceUrl, null, extra, regions);

    public static ServiceProvider Provider(Uri serviceUrl, TimeProvider? clock, IDictionary<string, string?>? extra, params string[] regions)
    {
        regions = regions.Length == 0 ? ["us-east-1"] : regions;
        var settings = new Dictionary<string, string?>
        {
            ["Aws:ServiceUrl"] = serviceUrl.ToString(),
            ["Aws:Accounts:0:Id"] = MotoServer.AccountId,
            ["Aws:Accounts:0:DisplayName"] = "Moto",
            ["Aws:MaxAttempts"] = "4",
            ["Aws:RequestTimeoutSeconds"] = "20",
        };
        for (var i = 0; i < regions.Length; i++)
        {
            settings[$"Aws:Accounts:0:Regions:{i}"] = regions[i];
        }

        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        Assert.True(services.AddAwsProvider(configuration));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>An EC2 client that is not PortalOps: "another client" that changes moto behind the portal's back.</summary>
    public static AmazonEC2Client Ec2(Uri serviceUrl, string region = "us-east-1") =>
        new(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = serviceUrl.ToString(), AuthenticationRegion = region });

    public static async Task<string> AnyImageIdAsync(IAmazonEC2 ec2)
    {
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] });
        return images.Images.First().ImageId;
    }

    /// <summary>Launches instances one per call (as EC2 pages by instance, moto by reservation).</summary>
    public static async Task<List<string>> LaunchAsync(IAmazonEC2 ec2, int count, string namePrefix = "web", IDictionary<string, string>? tags = null)
    {
        var image = await AnyImageIdAsync(ec2);
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var t = new List<Tag> { new("Name", $"{namePrefix}-{i:D3}") };
            t.AddRange((tags ?? new Dictionary<string, string>()).Select(kv => new Tag(kv.Key, kv.Value)));
            var run = await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = image,
                InstanceType = InstanceType.T3Micro,
                MinCount = 1,
                MaxCount = 1,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = t }],
            });
            ids.AddRange(run.Reservation.Instances.Select(x => x.InstanceId));
        }

        return ids;
    }
}
