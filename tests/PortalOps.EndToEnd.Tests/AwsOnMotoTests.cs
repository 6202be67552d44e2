using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>The portal on real AWS APIs (moto): it lists instances another client made, and a Stop from the portal stops them there.</summary>
[Trait("Category", "Peer")]
public sealed class AwsOnMotoTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task Instances_MadeByAnotherClient_ListedAndStoppedFromThePortal()
    {
        await using var moto = await Moto.StartAsync();
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = moto.Url, AuthenticationRegion = "us-east-1" });
        var launched = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12c6146b",
            InstanceType = InstanceType.T3Micro,
            MinCount = 2,
            MaxCount = 2,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", "made-elsewhere"), new Tag("env", "e2e")] }],
        });
        var ids = launched.Reservation.Instances.Select(i => i.InstanceId).Order().ToList();

        var settings = new Dictionary<string, string?>(Moto.DummyCredentials)
        {
            ["Aws:ServiceUrl"] = moto.Url,
            ["Aws:Accounts:0:Id"] = Moto.AccountId,
            ["Aws:Accounts:0:DisplayName"] = "Moto",
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:InventoryMaxAgeSeconds"] = "1",
        };
        await using var portal = await Portal.StartAsync(settings);
        var link = await portal.SetupLinkAsync(TimeSpan.FromSeconds(20));

        await browser.RunAsync(nameof(Instances_MadeByAnotherClient_ListedAndStoppedFromThePortal), async page =>
        {
            await portal.CreateFirstAdminAsync(page, link, Password);
            await Browser.InteractiveAsync(page);
            await Expect(page.GetByTestId("sandbox-badge")).ToHaveCountAsync(0);

            await Browser.OpenAsync(page, portal.BaseUrl + "/instances");
            foreach (var id in ids)
            {
                await Expect(page.Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = id })).ToBeVisibleAsync();
            }

            var row = page.Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = ids[0] });
            await Expect(row).ToContainTextAsync("made-elsewhere");
            await row.Locator("input[type=checkbox]").CheckAsync(new LocatorCheckOptions { Force = true });
            await page.GetByTestId("action-stop").ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Stop", Exact = true }).ClickAsync();
            await Expect(row.Locator("[data-state=stopped], [data-state=stopping]")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        });

        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids });
        var states = described.Reservations.SelectMany(r => r.Instances).ToDictionary(i => i.InstanceId, i => i.State.Name.Value);
        Assert.Contains(states[ids[0]], new[] { "stopping", "stopped" });
        Assert.Equal("running", states[ids[1]]);
    }
}
