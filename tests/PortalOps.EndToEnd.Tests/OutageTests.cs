using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>A region that stops answering (a loopback proxy that accepts its calls and never answers) shows quickly and blocks nothing.</summary>
[Trait("Category", "Peer")]
public sealed class OutageTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Region_StopsAnswering_ErrorShownWithin15SecondsAndInstancePageRendersStale()
    {
        await using var moto = await Moto.StartAsync();
        var east = await LaunchAsync(moto.Url, "us-east-1", "east-up");
        var west = await LaunchAsync(moto.Url, "eu-west-1", "west-down");
        await using var proxy = await UnansweringRegionProxy.StartAsync(moto.Url);
        var settings = new Dictionary<string, string?>(Moto.DummyCredentials)
        {
            ["Aws:ServiceUrl"] = proxy.Url,
            ["Aws:Accounts:0:Id"] = Moto.AccountId,
            ["Aws:Accounts:0:DisplayName"] = "Moto",
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:Accounts:0:Regions:1"] = "eu-west-1",
            ["Aws:InventoryMaxAgeSeconds"] = "1",
            ["Monitoring:Enabled"] = "false",
        };
        await using var portal = await Portal.StartAsync(settings);
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(Region_StopsAnswering_ErrorShownWithin15SecondsAndInstancePageRendersStale), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password);
            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            await Expect(Row(page, east)).ToBeVisibleAsync();
            await Expect(Row(page, west)).ToBeVisibleAsync();

            proxy.Silence("eu-west-1");
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            // Dashboard: the silent region's error, the other region's instances.
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(portal.BaseUrl + "/", new PageGotoOptions { Timeout = 30_000 });
            await Expect(page.GetByTestId("inventory-error")).ToContainTextAsync("eu-west-1", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            Assert.True(watch.Elapsed < Within, $"the Dashboard showed the outage after {watch.Elapsed.TotalSeconds:0.0} s");
            await Expect(page.GetByTestId("inventory-error")).Not.ToContainTextAsync("us-east-1");
            await Expect(page.GetByTestId("total-instances")).ToHaveTextAsync("2");

            // Instances: the same error, and the answering region's rows.
            watch.Restart();
            await page.GotoAsync(portal.BaseUrl + "/instances", new PageGotoOptions { Timeout = 30_000 });
            await Expect(page.GetByTestId("inventory-error")).ToContainTextAsync("eu-west-1", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await Expect(Row(page, east)).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
            Assert.True(watch.Elapsed < Within, $"the Instances page showed the outage after {watch.Elapsed.TotalSeconds:0.0} s");

            // The silent region's instance renders from the last inventory, saying since when.
            watch.Restart();
            await page.GotoAsync($"{portal.BaseUrl}/instances/{Moto.AccountId}/eu-west-1/{west}", new PageGotoOptions { Timeout = 30_000 });
            await Expect(page.GetByTestId("instance-stale")).ToContainTextAsync("stale since", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await Expect(page.GetByTestId("instance-name")).ToHaveTextAsync("west-down");
            Assert.True(watch.Elapsed < Within, $"the instance page rendered after {watch.Elapsed.TotalSeconds:0.0} s");
        });

        Assert.True(proxy.Held > 0, "the silent region was asked at least once");
    }

    private static ILocator Row(IPage page, string instanceId) =>
        page.Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = instanceId });

    private static async Task<string> LaunchAsync(string motoUrl, string region, string name)
    {
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = motoUrl, AuthenticationRegion = region });
        var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] })).Images[0].ImageId;
        var launched = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image,
            InstanceType = InstanceType.T3Micro,
            MinCount = 1,
            MaxCount = 1,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", name)] }],
        });
        return launched.Reservation.Instances[0].InstanceId;
    }
}
